import PFSyncCore

extension TCPTracking {
    /// pf's `pf_tcp_track_sloppy`: the peer state machine without any sequence checks.
    /// Always accepts. Besides the shared flag rules it handles two one-sided cases:
    /// an ACK after the originator's SYN with nothing seen from the other side makes both
    /// peers ESTABLISHED, and an ACK from a closing peer whose partner was never seen
    /// sending (seqlo 0) moves the partner to CLOSING.
    @discardableResult
    public static func trackSloppy(
        _ state: inout PFState, packet: ParsedPacket, fromSource: Bool,
        now: UInt32, timeouts: TrackerTimeouts
    ) -> Outcome {
        typealias F = ParsedPacket.TCPFlags
        var src = fromSource ? state.src : state.dst
        var dst = fromSource ? state.dst : state.src
        let flags = packet.tcpFlags

        if flags & F.syn != 0 && src.state < PeerState.synSent {
            src.state = PeerState.synSent
        }
        if flags & F.fin != 0 && src.state < PeerState.closing {
            src.state = PeerState.closing
        }
        if flags & F.ack != 0 {
            if dst.state == PeerState.synSent {
                dst.state = PeerState.established
            } else if dst.state == PeerState.closing {
                dst.state = PeerState.finWait2
            } else if src.state == PeerState.synSent && dst.state < PeerState.synSent {
                src.state = PeerState.established
                dst.state = PeerState.established
            } else if src.state == PeerState.closing && dst.state == PeerState.established
                && dst.seqLo == 0
            {
                dst.state = PeerState.closing
            }
        }
        if flags & F.rst != 0 {
            src.state = PeerState.timeWait
            dst.state = PeerState.timeWait
        }

        if fromSource {
            state.src = src
            state.dst = dst
        } else {
            state.src = dst
            state.dst = src
        }
        refreshTimeout(&state, now: now, timeouts: timeouts)
        return .accepted
    }
}
