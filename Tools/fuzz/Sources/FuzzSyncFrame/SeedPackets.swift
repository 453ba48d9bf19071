/// Plain pfsync packets used as seeds (hand-built from the FreeBSD v5 layouts).
enum SeedPackets {
    static var all: [(String, [UInt8])] {
        [
            ("v5-delc", packet(version: 5, action: 7, messages: [stateRef(id: 0x1122_3344_5566_7788, creator: 0xAABB_CCDD)], eof: true)),
            ("v5-updreq-bulk", packet(version: 5, action: 5, messages: [stateRef(id: 0, creator: 0)], eof: true)),
            ("v5-insack", packet(version: 5, action: 2, messages: [stateRef(id: 1, creator: 2), stateRef(id: 3, creator: 4)], eof: true)),
            ("v5-bus", packet(version: 5, action: 10, messages: [[0, 0, 0, 9, 0x65, 0, 0, 0, 1, 0, 0, 0]], eof: true)),
            ("v5-clr", packet(version: 5, action: 0, messages: [Array("em0".utf8) + [UInt8](repeating: 0, count: 13) + [0, 0, 0, 9]], eof: true)),
            ("v5-updc", packet(version: 5, action: 4, messages: [updateCompressed()], eof: true)),
            ("v5-ins1400", packet(version: 5, action: 13, messages: [[UInt8](repeating: 0, count: 277)], eof: true)),
            ("v6-delc", packet(version: 6, action: 7, messages: [stateRef(id: 5, creator: 6)], eof: false)),
        ]
    }

    static func stateRef(id: UInt64, creator: UInt32) -> [UInt8] {
        bigEndian(id) + bigEndian(creator)
    }

    static func updateCompressed() -> [UInt8] {
        var peer = [UInt8](repeating: 0, count: 32)
        peer[24] = 4  // ESTABLISHED
        return bigEndian(UInt64(42)) + peer + peer + bigEndian(UInt32(9)) + bigEndian(UInt32(60))
            + [1, 0, 0, 0]
    }

    static func packet(version: UInt8, action: UInt8, messages: [[UInt8]], eof: Bool) -> [UInt8] {
        let size = messages.first?.count ?? 0
        var body: [UInt8] = [action, UInt8(truncatingIfNeeded: version == 6 ? size / 4 : 0)]
        body += bigEndian(UInt16(messages.count))
        for message in messages { body += message }
        if eof { body += [12, 0, 0, 1] }
        let length = UInt16(20 + body.count)
        return [version, 0] + bigEndian(length) + [UInt8](repeating: 0, count: 16) + body
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
