import PFSyncCore

/// Builds the lookup keys a packet may match.
///
/// pf keys a state by its first packet: for a state created inbound, addr0/port0 are that
/// packet's source and addr1/port1 its destination (outbound: the reverse). A later packet
/// in the same direction builds the same key ("forward"); a reply builds it from its
/// destination and source ("reverse"). The tracker looks up forward first, then reverse:
/// one hash lookup for packets from the originator, two for replies and new flows.
@usableFromInline
enum FlowKey {
    /// The key a packet from `source` to `destination` has when it travels in the
    /// direction states are created in (`direction`: 1 in, 2 out).
    @inline(__always)
    static func forward(
        af: AddressFamily, proto: UInt8, source: IPAddress, destination: IPAddress,
        sourcePort: UInt16, destinationPort: UInt16, direction: UInt8
    ) -> StateLookupKey {
        let key: StateKey
        if direction == PFDirection.outbound {
            key = StateKey(addr0: destination, addr1: source, port0: destinationPort, port1: sourcePort, af: af)
        } else {
            key = StateKey(addr0: source, addr1: destination, port0: sourcePort, port1: destinationPort, af: af)
        }
        return StateLookupKey(key: key, proto: proto)
    }

    /// The same key read from the other end (what a reply to the packet would build).
    @inline(__always)
    static func reversed(_ lookup: StateLookupKey) -> StateLookupKey {
        var key = lookup.key
        swap(&key.addr0, &key.addr1)
        swap(&key.port0, &key.port1)
        return StateLookupKey(key: key, proto: lookup.proto)
    }

    /// The forward key of a parsed packet.
    @inline(__always)
    static func forward(of packet: ParsedPacket, direction: UInt8) -> StateLookupKey {
        forward(
            af: packet.af, proto: packet.proto, source: packet.srcAddr, destination: packet.dstAddr,
            sourcePort: packet.srcPort, destinationPort: packet.dstPort, direction: direction)
    }

    /// The forward key of the packet an ICMP error quotes.
    @inline(__always)
    static func forwardOfQuoted(_ packet: ParsedPacket, direction: UInt8) -> StateLookupKey {
        forward(
            af: packet.af, proto: packet.quotedProto, source: packet.quotedSrcAddr,
            destination: packet.quotedDstAddr, sourcePort: packet.quotedSrcPort,
            destinationPort: packet.quotedDstPort, direction: direction)
    }
}
