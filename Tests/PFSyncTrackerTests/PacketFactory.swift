import PFSyncCore

/// Builds hand-made ``ParsedPacket`` values for the tracker tests.
enum PacketFactory {
    static let client = IPAddress(ipv4: 0x0A00_0001)  // 10.0.0.1
    static let server = IPAddress(ipv4: 0x0A00_0002)  // 10.0.0.2
    static let router = IPAddress(ipv4: 0x0A00_00FE)  // 10.0.0.254
    static let clientPort: UInt16 = 40_000
    static let serverPort: UInt16 = 80

    typealias F = ParsedPacket.TCPFlags

    /// A TCP segment. `fromClient` picks the direction between ``client`` and ``server``.
    static func tcp(
        fromClient: Bool, flags: UInt8, seq: UInt32, ack: UInt32 = 0, window: UInt16 = 65_535,
        payload: UInt32 = 0, windowScale: UInt8? = nil, mss: UInt16? = nil, time: UInt32 = 1_000
    ) -> ParsedPacket {
        var packet = ParsedPacket()
        packet.status = .ok
        packet.seconds = time
        packet.af = .inet
        packet.proto = 6
        packet.srcAddr = fromClient ? client : server
        packet.dstAddr = fromClient ? server : client
        packet.srcPort = fromClient ? clientPort : serverPort
        packet.dstPort = fromClient ? serverPort : clientPort
        packet.tcpFlags = flags
        packet.seq = seq
        packet.ack = ack
        packet.window = window
        packet.payloadLength = payload
        packet.ipLength = 40 + payload
        packet.wireLength = 54 + payload
        if let windowScale {
            packet.hasWindowScale = true
            packet.windowScale = windowScale
        }
        if let mss {
            packet.hasMSS = true
            packet.mss = mss
        }
        return packet
    }

    /// A UDP datagram between ``client``:53000 and ``server``:53.
    static func udp(fromClient: Bool, payload: UInt32 = 32, time: UInt32 = 1_000) -> ParsedPacket {
        var packet = ParsedPacket()
        packet.status = .ok
        packet.seconds = time
        packet.proto = 17
        packet.srcAddr = fromClient ? client : server
        packet.dstAddr = fromClient ? server : client
        packet.srcPort = fromClient ? 53_000 : 53
        packet.dstPort = fromClient ? 53 : 53_000
        packet.payloadLength = payload
        packet.ipLength = 28 + payload
        packet.wireLength = 42 + payload
        return packet
    }

    /// An ICMP echo request (client to server) or reply (server to client) with `id`.
    static func echo(request: Bool, id: UInt16, time: UInt32 = 1_000) -> ParsedPacket {
        var packet = ParsedPacket()
        packet.status = .ok
        packet.seconds = time
        packet.proto = 1
        packet.srcAddr = request ? client : server
        packet.dstAddr = request ? server : client
        packet.srcPort = id
        packet.dstPort = id
        packet.icmpType = request ? 8 : 0
        packet.isICMPQuery = true
        packet.ipLength = 84
        packet.wireLength = 98
        return packet
    }

    /// An ICMP error from ``router`` to the sender of the quoted packet, quoting a TCP
    /// segment the client sent to the server (`quotedFromClient`) or the reverse.
    static func icmpErrorQuotingTCP(quotedFromClient: Bool, quotedSeq: UInt32, time: UInt32 = 1_000) -> ParsedPacket {
        var packet = ParsedPacket()
        packet.status = .ok
        packet.seconds = time
        packet.proto = 1
        packet.srcAddr = router
        packet.dstAddr = quotedFromClient ? client : server
        packet.icmpType = 3
        packet.icmpCode = 4
        packet.isICMPError = true
        packet.hasQuoted = true
        packet.quotedProto = 6
        packet.quotedSrcAddr = quotedFromClient ? client : server
        packet.quotedDstAddr = quotedFromClient ? server : client
        packet.quotedSrcPort = quotedFromClient ? clientPort : serverPort
        packet.quotedDstPort = quotedFromClient ? serverPort : clientPort
        packet.quotedSeq = quotedSeq
        packet.ipLength = 56
        packet.wireLength = 70
        return packet
    }
}
