import PFSyncCore

/// A session's canonical 5-tuple: the lower (address, port) end first, so that both
/// directions of a flow, and the state keys the daemons list, give the same key.
struct SessionKey: Hashable, Sendable {
    var af: AddressFamily
    var proto: UInt8
    var lowAddress: IPAddress
    var highAddress: IPAddress
    var lowPort: UInt16
    var highPort: UInt16

    /// The canonical key of two ends.
    init(af: AddressFamily, proto: UInt8, _ a: IPAddress, _ portA: UInt16, _ b: IPAddress, _ portB: UInt16) {
        self.af = af
        self.proto = proto
        if (a.high, a.low, portA) <= (b.high, b.low, portB) {
            (lowAddress, lowPort, highAddress, highPort) = (a, portA, b, portB)
        } else {
            (lowAddress, lowPort, highAddress, highPort) = (b, portB, a, portA)
        }
    }

    /// The session of a parsed packet as the tracker keys it (an ICMP error: the flow it
    /// quotes); nil for packets no state is kept for (non-first fragments).
    init?(packet: ParsedPacket) {
        if packet.isFragment && packet.fragmentOffset != 0 { return nil }
        if packet.isICMPError {
            guard packet.hasQuoted else { return nil }
            self.init(
                af: packet.af, proto: packet.quotedProto, packet.quotedSrcAddr, packet.quotedSrcPort,
                packet.quotedDstAddr, packet.quotedDstPort)
        } else {
            self.init(af: packet.af, proto: packet.proto, packet.srcAddr, packet.srcPort, packet.dstAddr, packet.dstPort)
        }
    }

    /// This key with its addresses rewritten as copy `copy` of ``AddressScaler`` rewrites them.
    func scaled(copy: Int) -> SessionKey {
        guard copy != 0 else { return self }
        return SessionKey(
            af: af, proto: proto, AddressScaler.scaled(lowAddress, copy: copy), lowPort,
            AddressScaler.scaled(highAddress, copy: copy), highPort)
    }
}
