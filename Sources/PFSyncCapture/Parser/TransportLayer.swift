import PFSyncCore

/// TCP, UDP, SCTP, ICMP and ICMPv6 header parsing into a ``ParsedPacket``.
enum TransportLayer {
    /// Parses the transport header `network` points at. `frame` ends at the datagram's
    /// captured end.
    static func parse(_ frame: UnsafeRawBufferPointer, network: NetworkHeader, into packet: inout ParsedPacket) {
        let start = network.transportOffset
        let length = network.transportLength
        switch network.proto {
        case 6:
            tcp(frame, at: start, length: length, into: &packet)
        case 17:
            ports(frame, at: start, length: length, headerSize: 8, into: &packet)
        case 132:
            // SCTP's common header: ports, verification tag, checksum. pf keys SCTP states
            // by their ports, as it does UDP's.
            ports(frame, at: start, length: length, headerSize: 12, into: &packet)
        case 1 where network.af == .inet, 58 where network.af == .inet6:
            icmp(frame, at: start, length: length, into: &packet)
        default:
            break
        }
    }

    /// A header that starts with the two ports (UDP, SCTP) and is `headerSize` bytes long
    /// (captured whole): the ports, and the rest of the datagram as payload.
    private static func ports(
        _ frame: UnsafeRawBufferPointer, at start: Int, length: Int, headerSize: Int, into packet: inout ParsedPacket
    ) {
        guard length >= headerSize else { packet.status = .malformed; return }
        guard frame.has(start, headerSize) else { packet.status = .truncated; return }
        packet.srcPort = frame.be16(start)
        packet.dstPort = frame.be16(start + 2)
        packet.payloadLength = UInt32(length - headerSize)
    }

    /// TCP header and options.
    private static func tcp(_ frame: UnsafeRawBufferPointer, at start: Int, length: Int, into packet: inout ParsedPacket) {
        guard length >= 20 else { packet.status = .malformed; return }
        guard frame.has(start, 20) else { packet.status = .truncated; return }
        packet.srcPort = frame.be16(start)
        packet.dstPort = frame.be16(start + 2)
        packet.seq = frame.be32(start + 4)
        packet.ack = frame.be32(start + 8)
        packet.tcpFlags = frame.u8(start + 13)
        packet.window = frame.be16(start + 14)
        let headerLength = Int(frame.u8(start + 12) >> 4) * 4
        guard headerLength >= 20, headerLength <= length else { packet.status = .malformed; return }
        packet.payloadLength = UInt32(length - headerLength)
        // Options cut by the snaplen: what was captured is read. Of the options, only a SYN's
        // window scale matters to tracking; the tracker follows such a state sloppily.
        if !frame.has(start, headerLength) { packet.tcpOptionsCut = true }
        options(frame, from: start + 20, to: min(frame.count, start + headerLength), into: &packet)
    }

    /// TCP options between `from` and `to` (the captured part of the option area).
    private static func options(_ frame: UnsafeRawBufferPointer, from: Int, to end: Int, into packet: inout ParsedPacket) {
        var cursor = from
        while cursor < end {
            let kind = frame.u8(cursor)
            if kind == 0 { return }
            if kind == 1 { cursor += 1; continue }
            guard cursor + 1 < end else { return }
            let size = Int(frame.u8(cursor + 1))
            guard size >= 2, end - cursor >= size else { return }
            switch (kind, size) {
            case (2, 4):
                packet.hasMSS = true
                packet.mss = frame.be16(cursor + 2)
            case (3, 3):
                packet.hasWindowScale = true
                packet.windowScale = frame.u8(cursor + 2)
            case (4, 2):
                packet.sackPermitted = true
            case (8, 10):
                packet.hasTimestamp = true
            default:
                break
            }
            cursor += size
        }
    }

    /// ICMP types that quote a packet: unreachable, source quench, redirect, time exceeded,
    /// parameter problem.
    private static func isIPv4Error(_ type: UInt8) -> Bool {
        switch type {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }

    /// ICMP / ICMPv6: echo ids and the packet an error quotes.
    private static func icmp(_ frame: UnsafeRawBufferPointer, at start: Int, length: Int, into packet: inout ParsedPacket) {
        guard length >= 8 else { packet.status = .malformed; return }
        guard frame.has(start, 8) else { packet.status = .truncated; return }
        let type = frame.u8(start)
        packet.icmpType = type
        packet.icmpCode = frame.u8(start + 1)
        packet.payloadLength = UInt32(length - 8)
        let isV6 = packet.af == .inet6
        let isEcho = isV6 ? (type == 128 || type == 129) : (type == 8 || type == 0)
        let isError = isV6 ? (1...4).contains(type) : isIPv4Error(type)
        if isEcho {
            packet.isICMPQuery = true
            let id = frame.be16(start + 4)
            packet.srcPort = id
            packet.dstPort = id
        } else if isError {
            packet.isICMPError = true
            if !ICMPQuote.parse(frame, at: start + 8, inet6: isV6, into: &packet) {
                packet.status = .truncated
            }
        }
    }
}
