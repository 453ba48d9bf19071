import PFSyncCore

/// Parses captured frames of one link type: link layer, IPv4 / IPv6 (options, extension
/// headers, fragments), then TCP, UDP, ICMP or ICMPv6.
///
/// Never traps and never allocates: any input yields a ``ParsedPacket`` whose status is
/// `.ok`, `.notIP`, `.truncated` or `.malformed`.
public struct PacketParser: Sendable {
    /// The link type of the frames this parser reads.
    public let linkType: LinkType

    /// Creates a parser for frames of `linkType`.
    public init(linkType: LinkType) {
        self.linkType = linkType
    }

    /// Parses `frame` into `packet`, overwriting every field (the record is reused, not
    /// reallocated). Time and wire length come from `header`.
    public func parse(_ frame: UnsafeRawBufferPointer, header: CapturedPacketHeader, into packet: inout ParsedPacket) {
        packet = ParsedPacket()
        packet.seconds = UInt32(truncatingIfNeeded: header.seconds)
        packet.microseconds = UInt32(truncatingIfNeeded: header.microseconds)
        packet.wireLength = header.wireLength
        fill(frame, into: &packet)
    }

    /// Parses `frame` into `packet`, overwriting every field except the time and wire length.
    public func parse(_ frame: UnsafeRawBufferPointer, into packet: inout ParsedPacket) {
        let seconds = packet.seconds, microseconds = packet.microseconds, wireLength = packet.wireLength
        packet = ParsedPacket()
        packet.seconds = seconds
        packet.microseconds = microseconds
        packet.wireLength = wireLength
        fill(frame, into: &packet)
    }

    /// Parses into a freshly reset record.
    private func fill(_ frame: UnsafeRawBufferPointer, into packet: inout ParsedPacket) {
        let network: NetworkHeader
        switch LinkLayer.locate(frame, linkType: linkType) {
        case let .ipv4(offset): network = NetworkHeader.ipv4(frame, at: offset)
        case let .ipv6(offset): network = NetworkHeader.ipv6(frame, at: offset)
        case .other: packet.status = .notIP; return
        case .truncated: packet.status = .truncated; return
        }
        packet.status = network.status
        packet.af = network.af
        packet.proto = network.proto
        packet.ttl = network.ttl
        packet.srcAddr = network.src
        packet.dstAddr = network.dst
        packet.ipLength = UInt32(clamping: network.ipLength)
        packet.isFragment = network.isFragment
        packet.fragmentOffset = UInt32(clamping: network.fragmentOffset)
        packet.moreFragments = network.moreFragments
        guard network.status == .ok else { return }
        packet.payloadLength = UInt32(clamping: network.transportLength)
        guard network.hasTransportHeader else { return }
        let datagram = UnsafeRawBufferPointer(rebasing: frame[..<max(0, network.capturedEnd)])
        TransportLayer.parse(datagram, network: network, into: &packet)
    }
}
