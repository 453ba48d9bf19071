import Foundation

/// Hand-built packet bytes for parser tests: every header written field by field.
enum FrameBuilder {
    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }
    static func le32(_ value: UInt32) -> [UInt8] { be32(value).reversed() }

    /// An IPv4 header (checksum left zero: the parser does not verify it).
    static func ipv4(
        proto: UInt8, src: [UInt8] = [10, 0, 0, 1], dst: [UInt8] = [10, 0, 0, 2], ttl: UInt8 = 64,
        options: [UInt8] = [], fragment: UInt16 = 0x4000, payload: [UInt8], totalLength: UInt16? = nil
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        let total = totalLength ?? UInt16(headerLength + payload.count)
        var bytes: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        bytes += be16(total) + be16(0x1234) + be16(fragment) + [ttl, proto, 0, 0] + src + dst + options
        return bytes + payload
    }

    /// An IPv6 header followed by `payload` (which may begin with extension headers).
    static func ipv6(
        next: UInt8, src: [UInt8] = v6(1), dst: [UInt8] = v6(2), hopLimit: UInt8 = 64, payload: [UInt8]
    ) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(UInt16(payload.count)) + [next, hopLimit] + src + dst + payload
    }

    /// 2001:db8::N.
    static func v6(_ last: UInt8) -> [UInt8] { [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [last] }

    /// A generic IPv6 extension header of `length` bytes (a multiple of 8).
    static func extensionHeader(next: UInt8, length: Int) -> [UInt8] {
        [next, UInt8(length / 8 - 1)] + [UInt8](repeating: 0, count: length - 2)
    }

    /// An IPv6 fragment header.
    static func fragmentHeader(next: UInt8, offset: UInt16, more: Bool) -> [UInt8] {
        [next, 0] + be16(offset | (more ? 1 : 0)) + be32(0xabcdef)
    }

    /// A TCP header with `options` (padded to 4 bytes).
    static func tcp(
        src: UInt16, dst: UInt16, seq: UInt32, ack: UInt32 = 0, flags: UInt8, window: UInt16,
        options: [UInt8] = [], payload: [UInt8] = []
    ) -> [UInt8] {
        var padded = options
        while padded.count % 4 != 0 { padded.append(0) }
        let offset = UInt8((20 + padded.count) / 4) << 4
        return be16(src) + be16(dst) + be32(seq) + be32(ack) + [offset, flags] + be16(window) + [0, 0, 0, 0]
            + padded + payload
    }

    /// A UDP header and payload.
    static func udp(src: UInt16, dst: UInt16, payload: [UInt8]) -> [UInt8] {
        be16(src) + be16(dst) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
    }

    /// Ethernet II with optional VLAN tags given as (TPID, TCI).
    static func ethernet(type: UInt16, tags: [(UInt16, UInt16)] = [], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        for (tpid, tci) in tags { bytes += be16(tpid) + be16(tci) }
        return bytes + be16(type) + payload
    }

    /// MSS 1460, NOP, window scale 7, SACK permitted, timestamps.
    static let synOptions: [UInt8] = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0]
}

/// Writes classic pcap and minimal pcapng files for source tests.
enum CaptureFileWriter {
    /// A classic little-endian microsecond pcap.
    static func pcap(linkType: UInt32, frames: [[UInt8]], snaplen: UInt32 = 65535) -> [UInt8] {
        var bytes = FrameBuilder.le32(0xa1b2c3d4) + [2, 0, 4, 0] + [0, 0, 0, 0, 0, 0, 0, 0]
        bytes += FrameBuilder.le32(snaplen) + FrameBuilder.le32(linkType)
        for (index, frame) in frames.enumerated() {
            bytes += FrameBuilder.le32(1_700_000_000 + UInt32(index)) + FrameBuilder.le32(250_000)
            bytes += FrameBuilder.le32(UInt32(frame.count)) + FrameBuilder.le32(UInt32(frame.count))
            bytes += frame
        }
        return bytes
    }

    /// A pcapng file: section header, one interface description, enhanced packet blocks.
    static func pcapng(linkType: UInt16, frames: [[UInt8]]) -> [UInt8] {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            var padded = body
            while padded.count % 4 != 0 { padded.append(0) }
            let length = UInt32(12 + padded.count)
            return FrameBuilder.le32(type) + FrameBuilder.le32(length) + padded + FrameBuilder.le32(length)
        }
        var bytes = block(0x0a0d0d0a, FrameBuilder.le32(0x1a2b3c4d) + [1, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8))
        bytes += block(1, [UInt8(linkType & 0xff), UInt8(linkType >> 8), 0, 0] + FrameBuilder.le32(65535))
        for frame in frames {
            let micros: UInt64 = 1_700_000_000 * 1_000_000 + 5
            var body = FrameBuilder.le32(0) + FrameBuilder.le32(UInt32(micros >> 32))
            body += FrameBuilder.le32(UInt32(micros & 0xffff_ffff))
            body += FrameBuilder.le32(UInt32(frame.count)) + FrameBuilder.le32(UInt32(frame.count)) + frame
            bytes += block(6, body)
        }
        return bytes
    }

    /// Writes `bytes` to a fresh file in the temporary directory and returns its path.
    static func temporaryFile(_ bytes: [UInt8], suffix: String = ".pcap") throws -> String {
        let path = NSTemporaryDirectory() + "pfsync-capture-\(UUID().uuidString)\(suffix)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
