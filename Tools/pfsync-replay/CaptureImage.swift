import PFSyncCapture
import PFSyncCore

/// A capture loaded into memory once: every frame in one byte array, and per frame its
/// time, where its addresses sit (for ``AddressScaler``) and the session it belongs to.
struct CaptureImage {
    /// One frame.
    struct Frame {
        /// Offset and length in ``bytes``.
        var offset: Int
        var length: Int
        /// Capture time.
        var seconds: UInt32
        var microseconds: UInt32
        /// Microseconds since the first frame.
        var offsetMicros: Int64
        /// Offset of the source+destination address pair in the frame (-1: none).
        var addressPair: Int32
        /// Offset of the address pair an ICMP error quotes (-1: none).
        var quotedPair: Int32
        /// 4 (IPv4) or 16 (IPv6).
        var addressSize: Int32
        /// Index in ``sessions`` (-1: not part of a session).
        var session: Int32
    }

    let linkType: LinkType
    private(set) var bytes: [UInt8] = []
    private(set) var frames: [Frame] = []
    /// The distinct sessions, in order of first packet.
    private(set) var sessions: [SessionKey] = []
    /// Capture time from the first to the last frame, microseconds.
    var spanMicros: Int64 { frames.last?.offsetMicros ?? 0 }

    /// Reads the whole capture at `path`.
    init(path: String) throws(CaptureError) {
        let file = try PcapFileSource(path: path)
        linkType = file.linkType
        let parser = PacketParser(linkType: file.linkType)
        var packet = ParsedPacket()
        var sessionIndex: [SessionKey: Int32] = [:]
        var firstMicros: Int64?
        file.forEach { header, frame in
            parser.parse(frame, header: header, into: &packet)
            let micros = header.seconds &* 1_000_000 &+ Int64(header.microseconds)
            let first = firstMicros ?? micros
            firstMicros = first
            var record = Frame(
                offset: bytes.count, length: frame.count,
                seconds: UInt32(truncatingIfNeeded: header.seconds),
                microseconds: UInt32(truncatingIfNeeded: max(0, min(999_999, header.microseconds))),
                offsetMicros: max(0, micros &- first), addressPair: -1, quotedPair: -1, addressSize: 4, session: -1)
            bytes.append(contentsOf: frame)
            if packet.status == .ok {
                locateAddresses(of: packet, in: frame, record: &record)
                if let key = SessionKey(packet: packet) {
                    if let known = sessionIndex[key] {
                        record.session = known
                    } else {
                        record.session = Int32(sessions.count)
                        sessionIndex[key] = record.session
                        sessions.append(key)
                    }
                }
            }
            frames.append(record)
        }
        if frames.isEmpty {
            throw .notACapture(path: path, reason: file.errorText ?? "no packets in the capture")
        }
    }

    /// Finds the address pairs (source then destination, as in the IP header) in the frame.
    private func locateAddresses(of packet: ParsedPacket, in frame: UnsafeRawBufferPointer, record: inout Frame) {
        let size = packet.af == .inet6 ? 16 : 4
        record.addressSize = Int32(size)
        let pair = Array(packet.srcAddr.bytes.prefix(size)) + Array(packet.dstAddr.bytes.prefix(size))
        guard let outer = Self.find(pair, in: frame, from: 0) else { return }
        record.addressPair = Int32(outer)
        guard packet.isICMPError, packet.hasQuoted else { return }
        let quoted = Array(packet.quotedSrcAddr.bytes.prefix(size)) + Array(packet.quotedDstAddr.bytes.prefix(size))
        if let inner = Self.find(quoted, in: frame, from: outer + pair.count) { record.quotedPair = Int32(inner) }
    }

    private static func find(_ needle: [UInt8], in frame: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard frame.count >= needle.count, start <= frame.count - needle.count else { return nil }
        for offset in start...(frame.count - needle.count) where frame[offset] == needle[0] {
            var matches = true
            for index in 1..<needle.count where frame[offset + index] != needle[index] {
                matches = false
                break
            }
            if matches { return offset }
        }
        return nil
    }
}
