import PFSyncCore

extension TCPTracking {
    /// Fills the TCP part of a new state from its first packet, as `pf_create_state` does:
    /// the source peer SYN_SENT with seqlo = seq, seqhi = seq + len + 1 (+1 for SYN, +1 for
    /// FIN), its window (unscaled by the SYN's own wscale) and wscale; the destination
    /// CLOSED with seqhi = 1 and max_win = 1; timeout class tcp.first.
    public static func initialize(
        _ state: inout PFState, packet: ParsedPacket, now: UInt32, timeouts: TrackerTimeouts
    ) {
        typealias F = ParsedPacket.TCPFlags
        var src = StatePeer()
        src.seqLo = packet.seq
        src.seqHi = packet.seq &+ packet.payloadLength &+ 1
        if packet.tcpFlags & F.syn != 0 {
            src.seqHi &+= 1
            src.wscale = windowScale(of: packet)
        }
        var window = max(UInt32(packet.window), 1)
        let shift = TCPSequence.shift(src.wscale)
        if shift != 0 {
            window = (window + (1 << shift) - 1) >> shift
        }
        src.maxWin = UInt16(truncatingIfNeeded: window)
        if packet.tcpFlags & F.fin != 0 {
            src.seqHi &+= 1
        }
        if packet.hasMSS {
            src.mss = packet.mss
        }
        src.state = PeerState.synSent

        var dst = StatePeer()
        dst.seqHi = 1
        dst.maxWin = 1
        dst.state = PeerState.closed

        state.src = src
        state.dst = dst
        state.timeout = TimeoutClass.tcpFirstPacket.rawValue
        state.expire = now &+ timeouts.tcpFirstPacket
    }
}
