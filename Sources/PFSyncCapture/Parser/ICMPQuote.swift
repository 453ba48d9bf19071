import PFSyncCore

/// The packet an ICMP error quotes: an IP header and at least 8 bytes of its transport header.
enum ICMPQuote {
    /// Fills the `quoted*` fields from the quote at `start`. Returns false (and leaves
    /// `hasQuoted` false) when the quote is cut short or is not an IP header of the family.
    static func parse(_ frame: UnsafeRawBufferPointer, at start: Int, inet6: Bool, into packet: inout ParsedPacket) -> Bool {
        var proto: UInt8 = 0
        var transport = 0
        var transportExpected = true
        if inet6 {
            guard frame.has(start, 40), frame.u8(start) >> 4 == 6 else { return false }
            packet.quotedSrcAddr = frame.ipv6Address(start + 8)
            packet.quotedDstAddr = frame.ipv6Address(start + 24)
            let walk = IPv6Extensions.walk(frame, from: start + 40, next: frame.u8(start + 6), end: frame.count)
            guard walk.status == .ok || walk.status == .malformed else { return false }
            proto = walk.proto
            transport = walk.offset
            transportExpected = walk.hasTransportHeader && walk.status == .ok
        } else {
            guard frame.has(start, 20), frame.u8(start) >> 4 == 4 else { return false }
            let headerLength = Int(frame.u8(start) & 0x0f) * 4
            guard headerLength >= 20, frame.has(start, headerLength) else { return false }
            packet.quotedSrcAddr = frame.ipv4Address(start + 12)
            packet.quotedDstAddr = frame.ipv4Address(start + 16)
            proto = frame.u8(start + 9)
            transport = start + headerLength
            transportExpected = frame.be16(start + 6) & 0x1fff == 0
        }
        packet.quotedProto = proto
        if transportExpected && (proto == 6 || proto == 17 || proto == 1 || proto == 58) {
            guard frame.has(transport, 8) else { return false }
            if proto == 6 || proto == 17 {
                packet.quotedSrcPort = frame.be16(transport)
                packet.quotedDstPort = frame.be16(transport + 2)
                if proto == 6 { packet.quotedSeq = frame.be32(transport + 4) }
            } else {
                let id = frame.be16(transport + 4)
                packet.quotedSrcPort = id
                packet.quotedDstPort = id
            }
        }
        packet.hasQuoted = true
        return true
    }
}
