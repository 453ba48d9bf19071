import PFSyncCore

/// pf's TCP state tracking as pure functions over one ``PFState``: creation
/// (`pf_create_state`), full sequence-window tracking (`pf_tcp_track_full`) and the
/// state machine alone (`pf_tcp_track_sloppy`).
///
/// `fromSource` says which peer sent the packet: true for the peer that created the state
/// (``PFState/src``), false for the other (``PFState/dst``).
public enum TCPTracking {
    /// How a packet on an existing TCP state was judged.
    public enum Outcome: Sendable, Equatable {
        /// Inside the window: the state, its timeout class and expiry were updated.
        case accepted
        /// Outside the strict window but inside pf's looser one (shotgunned SYNs, a
        /// connection picked up mid-stream, stray packets after FIN/RST): sequence fields
        /// and FIN/RST states were updated, the timeout was not (pf does not refresh the
        /// state's age here, so a flood cannot keep it alive).
        case acceptedLoosely
        /// Outside both windows: nothing was changed.
        case outOfWindow
    }

    /// pf's timeout class for a pair of peer states (the rules at the end of
    /// `pf_tcp_track_full`).
    @inlinable
    public static func timeoutClass(source: UInt8, destination: UInt8) -> TimeoutClass {
        if source >= PeerState.finWait2 && destination >= PeerState.finWait2 {
            return .tcpClosed
        }
        if source >= PeerState.closing && destination >= PeerState.closing {
            return .tcpFinWait
        }
        if source < PeerState.established || destination < PeerState.established {
            return .tcpOpening
        }
        if source >= PeerState.closing || destination >= PeerState.closing {
            return .tcpClosing
        }
        return .tcpEstablished
    }

    /// True when a SYN without ACK arrives on a state whose peers are both at or past
    /// FIN_WAIT_2: pf purges the old state and lets the SYN create a new one (port reuse).
    @inlinable
    public static func isReuse(of state: PFState, flags: UInt8) -> Bool {
        typealias F = ParsedPacket.TCPFlags
        return flags & (F.syn | F.ack) == F.syn
            && state.src.state >= PeerState.finWait2
            && state.dst.state >= PeerState.finWait2
    }

    /// Updates peer states from the packet's flags (the part pf's full and sloppy trackers
    /// share) and returns nothing; callers pick the timeout class afterwards.
    @inline(__always)
    static func applyFlags(_ flags: UInt8, source src: inout StatePeer, destination dst: inout StatePeer) {
        typealias F = ParsedPacket.TCPFlags
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
            }
        }
        if flags & F.rst != 0 {
            src.state = PeerState.timeWait
            dst.state = PeerState.timeWait
        }
    }

    /// Sets the timeout class from the peers' states and the expiry to `now` plus its timeout.
    @inline(__always)
    static func refreshTimeout(_ state: inout PFState, now: UInt32, timeouts: TrackerTimeouts) {
        let timeoutClass = timeoutClass(source: state.src.state, destination: state.dst.state)
        state.timeout = timeoutClass.rawValue
        state.expire = now &+ timeouts[timeoutClass]
    }

    /// The `wscale` a SYN carries in pf's encoding: the option's shift (at most 14) with
    /// PF_WSCALE_FLAG, or 0 without the option.
    @inline(__always)
    static func windowScale(of packet: ParsedPacket) -> UInt8 {
        guard packet.hasWindowScale else { return 0 }
        return min(packet.windowScale, TCPSequence.maxWindowShift) | TCPSequence.wscaleFlag
    }

    /// A SYN (or SYN-ACK) whose options the capture cut off (a short snaplen): its window
    /// scale is unknown, so its state's windows cannot be scaled as the hosts do, and the
    /// state is followed sloppily (``PFStateFlags/sloppy``).
    @inline(__always)
    static func windowScaleCutOff(in packet: ParsedPacket) -> Bool {
        packet.tcpOptionsCut && packet.tcpFlags & ParsedPacket.TCPFlags.syn != 0
    }
}
