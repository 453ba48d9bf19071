import PFSyncCore

/// The facts of an IPv4 or IPv6 header (after IPv6 extension headers) that the transport
/// parsers and the payload locator need. A plain value: parsing it allocates nothing.
struct NetworkHeader {
    /// `.ok`, `.truncated` or `.malformed`.
    var status: ParsedPacket.Status = .ok
    var af: AddressFamily = .inet
    /// The upper-layer protocol (after extension headers).
    var proto: UInt8 = 0
    /// TTL or hop limit.
    var ttl: UInt8 = 0
    var src: IPAddress = .zero
    var dst: IPAddress = .zero
    /// IP total length (header + payload) as the header says.
    var ipLength: Int = 0
    /// Where the transport header starts in the frame.
    var transportOffset: Int = 0
    /// Transport header + payload bytes according to the IP lengths.
    var transportLength: Int = 0
    /// The end of the datagram within the captured bytes (excludes link-layer padding).
    var capturedEnd: Int = 0
    var isFragment = false
    var moreFragments = false
    /// Fragment offset in bytes.
    var fragmentOffset: Int = 0
    /// False for non-first fragments and "no next header": nothing to parse after the IP layer.
    var hasTransportHeader = true

    /// The most IPv6 extension headers followed before giving up.
    static let maximumExtensionHeaders = 16
}

extension NetworkHeader {
    /// Parses the IPv4 header at `offset`.
    static func ipv4(_ frame: UnsafeRawBufferPointer, at offset: Int) -> NetworkHeader {
        var header = NetworkHeader()
        header.af = .inet
        guard frame.has(offset, 20) else { return header.failing(.truncated) }
        let first = frame.u8(offset)
        let headerLength = Int(first & 0x0f) * 4
        guard first >> 4 == 4, headerLength >= 20 else { return header.failing(.malformed) }
        guard frame.has(offset, headerLength) else { return header.failing(.truncated) }
        var total = Int(frame.be16(offset + 2))
        if total == 0 { total = frame.count - offset }  // TSO / big-TCP captures leave it 0
        guard total >= headerLength else { return header.failing(.malformed) }
        let fragment = frame.be16(offset + 6)
        header.moreFragments = fragment & 0x2000 != 0
        header.fragmentOffset = Int(fragment & 0x1fff) * 8
        header.isFragment = header.moreFragments || header.fragmentOffset != 0
        header.hasTransportHeader = header.fragmentOffset == 0
        header.ttl = frame.u8(offset + 8)
        header.proto = frame.u8(offset + 9)
        header.src = frame.ipv4Address(offset + 12)
        header.dst = frame.ipv4Address(offset + 16)
        header.ipLength = total
        header.transportOffset = offset + headerLength
        header.transportLength = total - headerLength
        header.capturedEnd = min(frame.count, offset + total)
        return header
    }

    /// Parses the IPv6 header at `offset` and walks its extension headers (hop-by-hop,
    /// routing, destination options, fragment, AH).
    static func ipv6(_ frame: UnsafeRawBufferPointer, at offset: Int) -> NetworkHeader {
        var header = NetworkHeader()
        header.af = .inet6
        guard frame.has(offset, 40) else { return header.failing(.truncated) }
        guard frame.u8(offset) >> 4 == 6 else { return header.failing(.malformed) }
        let payload = Int(frame.be16(offset + 4))
        let total = payload == 0 ? frame.count - offset : 40 + payload  // 0: jumbogram / TSO
        header.ttl = frame.u8(offset + 7)
        header.src = frame.ipv6Address(offset + 8)
        header.dst = frame.ipv6Address(offset + 24)
        header.ipLength = total
        header.capturedEnd = min(frame.count, offset + total)
        let datagramEnd = offset + total
        let walk = IPv6Extensions.walk(frame, from: offset + 40, next: frame.u8(offset + 6), end: datagramEnd)
        header.proto = walk.proto
        header.isFragment = walk.isFragment
        header.moreFragments = walk.moreFragments
        header.fragmentOffset = walk.fragmentOffset
        header.hasTransportHeader = walk.hasTransportHeader
        header.transportOffset = walk.offset
        header.transportLength = max(0, datagramEnd - walk.offset)
        if walk.status != .ok { return header.failing(walk.status) }
        return header
    }

    /// This header with a failure status and nothing to parse after it.
    private func failing(_ status: ParsedPacket.Status) -> NetworkHeader {
        var copy = self
        copy.status = status
        copy.hasTransportHeader = false
        return copy
    }
}

/// The IPv6 extension-header chain walker, shared by the outer header and ICMPv6 quotes.
enum IPv6Extensions {
    /// Where the chain ended.
    struct Walk {
        var status: ParsedPacket.Status = .ok
        var proto: UInt8 = 0
        var offset: Int = 0
        var isFragment = false
        var moreFragments = false
        var fragmentOffset: Int = 0
        var hasTransportHeader = true
    }

    /// Follows the chain starting at `start` with next-header value `next`; `end` is the end of
    /// the datagram according to the IP lengths.
    static func walk(_ frame: UnsafeRawBufferPointer, from start: Int, next: UInt8, end: Int) -> Walk {
        var walk = Walk()
        var cursor = start
        var nextHeader = next
        for _ in 0..<NetworkHeader.maximumExtensionHeaders {
            walk.proto = nextHeader
            walk.offset = cursor
            let length: Int
            switch nextHeader {
            case 0, 43, 60:  // hop-by-hop, routing, destination options
                guard frame.has(cursor, 2) else { return walk.ending(.truncated) }
                length = (Int(frame.u8(cursor + 1)) + 1) * 8
            case 51:  // AH: payload length in 32-bit words minus 2
                guard frame.has(cursor, 2) else { return walk.ending(.truncated) }
                length = (Int(frame.u8(cursor + 1)) + 2) * 4
            case 44:  // fragment
                guard frame.has(cursor, 8) else { return walk.ending(.truncated) }
                let field = frame.be16(cursor + 2)
                walk.fragmentOffset = Int(field & 0xfff8)
                walk.moreFragments = field & 1 != 0
                walk.isFragment = walk.moreFragments || walk.fragmentOffset != 0
                length = 8
            case 59:  // no next header
                walk.hasTransportHeader = false
                return walk
            default:
                return walk
            }
            guard end - cursor >= length else { return walk.ending(.malformed) }
            nextHeader = frame.u8(cursor)
            cursor += length
            if nextHeader != 59 && walk.fragmentOffset != 0 {
                // A non-first fragment: what follows is payload, not a header.
                walk.proto = nextHeader
                walk.offset = cursor
                walk.hasTransportHeader = false
                return walk
            }
        }
        return walk.ending(.malformed)
    }
}

extension IPv6Extensions.Walk {
    fileprivate func ending(_ status: ParsedPacket.Status) -> IPv6Extensions.Walk {
        var copy = self
        copy.status = status
        copy.hasTransportHeader = false
        return copy
    }
}
