import PFSyncCore

extension Tracker {
    /// Tracks one parsed packet and returns its verdict; ``summary`` counts it.
    ///
    /// Order of checks: non-IP frames (``Verdict/notIP``); truncated or malformed headers
    /// (``Verdict/invalid``); non-first fragments (``Verdict/noState``: no transport
    /// header, and pf without reassembly keeps no state for them); then per protocol:
    /// TCP (flag policy, then full or sloppy tracking), UDP and other protocols
    /// (pseudo-states), ICMP/ICMPv6 queries (per echo id) and errors (the quoted flow).
    public mutating func process(_ packet: ParsedPacket) -> Verdict {
        switch packet.status {
        case .notIP:
            summary.notIP &+= 1
            return .notIP
        case .truncated, .malformed:
            countPacket(packet)
            summary.invalid &+= 1
            return .invalid
        case .ok:
            break
        }
        countPacket(packet)
        if followPacketTime {
            advanceClock(to: packet.seconds)
        }
        if packet.isFragment && packet.fragmentOffset != 0 {
            summary.fragments &+= 1
            summary.noState &+= 1
            return .noState
        }
        let verdict: Verdict
        switch packet.proto {
        case IPProtocol.tcp:
            verdict = processTCP(packet)
        case IPProtocol.udp:
            verdict = processPseudo(packet, family: .udp)
        case IPProtocol.icmp, IPProtocol.icmpv6:
            verdict = packet.isICMPError ? processICMPError(packet) : processICMPQuery(packet)
        default:
            verdict = processPseudo(packet, family: .other)
        }
        tally(verdict)
        table.changeSignal.poke()
        return verdict
    }

    @inline(__always)
    mutating func countPacket(_ packet: ParsedPacket) {
        summary.packets &+= 1
        summary.bytes &+= UInt64(Self.byteCount(of: packet))
    }

    @inline(__always)
    mutating func tally(_ verdict: Verdict) {
        switch verdict {
        case .created: summary.statesCreated &+= 1
        case .matched: summary.matched &+= 1
        case .outOfWindow: summary.outOfWindow &+= 1
        case .noState: summary.noState &+= 1
        case .invalid: summary.invalid &+= 1
        case .notIP: summary.notIP &+= 1
        }
    }

    /// pf counts the IP total length (`pd->tot_len`); fall back to the wire length when the
    /// IP header says 0 (TSO captures, IPv6 jumbograms).
    @inline(__always)
    static func byteCount(of packet: ParsedPacket) -> UInt32 {
        packet.ipLength != 0 ? packet.ipLength : packet.wireLength
    }

    /// Adds one packet to a state's per-direction counters.
    @inline(__always)
    static func count(_ packet: ParsedPacket, in state: inout PFState, fromSource: Bool) {
        let bytes = UInt64(byteCount(of: packet))
        if fromSource {
            state.packets.forward &+= 1
            state.bytes.forward &+= bytes
        } else {
            state.packets.reverse &+= 1
            state.bytes.reverse &+= bytes
        }
    }

    /// A new state for `packet` under `key`, stamped with a fresh id, the clock and this
    /// tracker's creator id, interface and direction; the packet counted as direction 0.
    mutating func newState(for packet: ParsedPacket, key: StateLookupKey) -> PFState {
        var state = PFState(
            identity: StateID(id: ids.make(), creatorID: config.creatorID),
            af: packet.af, proto: packet.proto, direction: config.direction,
            wireKey: key.key, ifname: config.ifname)
        state.creation = clock
        Self.count(packet, in: &state, fromSource: true)
        return state
    }

    /// Inserts a new state; returns ``Verdict/created``, or ``Verdict/noState`` (counted
    /// in `insertFailures`) when the table refuses it.
    mutating func insert(_ state: PFState) -> Verdict {
        switch table.insert(state, recordChange: true) {
        case .inserted:
            lastCreated = state.identity
            switch state.proto {
            case IPProtocol.tcp: summary.statesByProto.tcp &+= 1
            case IPProtocol.udp: summary.statesByProto.udp &+= 1
            case IPProtocol.icmp, IPProtocol.icmpv6: summary.statesByProto.icmp &+= 1
            default: summary.statesByProto.other &+= 1
            }
            return .created
        case .duplicateID, .keyConflict:
            summary.insertFailures &+= 1
            return .noState
        }
    }
}

/// IP protocol numbers the tracker dispatches on.
public enum IPProtocol {
    /// ICMP.
    public static let icmp: UInt8 = 1
    /// TCP.
    public static let tcp: UInt8 = 6
    /// UDP.
    public static let udp: UInt8 = 17
    /// ICMPv6.
    public static let icmpv6: UInt8 = 58
}
