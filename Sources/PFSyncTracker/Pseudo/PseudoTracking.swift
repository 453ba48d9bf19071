import PFSyncCore

/// pf's pseudo-state tracking for UDP and other connectionless protocols
/// (`pf_test_state_udp` / `pf_test_state_other`), and for ICMP queries.
public enum PseudoTracking {
    /// Which family of timeouts a connectionless state uses.
    public enum Family: Sendable {
        /// UDP: udp.first / udp.single / udp.multiple.
        case udp
        /// Any protocol without its own tracker: other.first / other.single / other.multiple.
        case other

        @inline(__always)
        var first: TimeoutClass { self == .udp ? .udpFirstPacket : .otherFirstPacket }
        @inline(__always)
        var single: TimeoutClass { self == .udp ? .udpSingle : .otherSingle }
        @inline(__always)
        var multiple: TimeoutClass { self == .udp ? .udpMultiple : .otherMultiple }
    }

    /// A new state: the source peer SINGLE, the destination NO_TRAFFIC, timeout class
    /// udp.first / other.first.
    public static func initialize(
        _ state: inout PFState, family: Family, now: UInt32, timeouts: TrackerTimeouts
    ) {
        state.src = StatePeer(state: PeerState.single)
        state.dst = StatePeer(state: PeerState.noTraffic)
        state.timeout = family.first.rawValue
        state.expire = now &+ timeouts[family.first]
    }

    /// A packet on an existing state: the sender becomes at least SINGLE, and a SINGLE
    /// partner becomes MULTIPLE (so the first reply makes the originator MULTIPLE and the
    /// responder SINGLE; the next packet from the originator makes both MULTIPLE). The
    /// timeout class is single until both are MULTIPLE.
    public static func track(
        _ state: inout PFState, family: Family, fromSource: Bool,
        now: UInt32, timeouts: TrackerTimeouts
    ) {
        var src = fromSource ? state.src : state.dst
        var dst = fromSource ? state.dst : state.src
        if src.state < PeerState.single { src.state = PeerState.single }
        if dst.state == PeerState.single { dst.state = PeerState.multiple }
        let timeoutClass =
            src.state == PeerState.multiple && dst.state == PeerState.multiple
            ? family.multiple : family.single
        if fromSource {
            state.src = src
            state.dst = dst
        } else {
            state.src = dst
            state.dst = src
        }
        state.timeout = timeoutClass.rawValue
        state.expire = now &+ timeouts[timeoutClass]
    }

    /// A new ICMP query state: timeout class icmp.first; pf keeps no peer states.
    public static func initializeICMP(_ state: inout PFState, now: UInt32, timeouts: TrackerTimeouts) {
        state.src = .empty
        state.dst = .empty
        state.timeout = TimeoutClass.icmpFirstPacket.rawValue
        state.expire = now &+ timeouts.icmpFirstPacket
    }

    /// A later ICMP query or reply on the state: pf moves it to icmp.error (10 s by default).
    public static func trackICMP(_ state: inout PFState, now: UInt32, timeouts: TrackerTimeouts) {
        state.timeout = TimeoutClass.icmpErrorReply.rawValue
        state.expire = now &+ timeouts.icmpErrorReply
    }
}
