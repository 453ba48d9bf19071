import PFSyncCore

extension Tracker {
    /// What happened to a TCP packet on a found state (returned from the table's update
    /// closure, so that counters are touched outside the shard lock).
    @usableFromInline
    enum TCPMatch {
        case tracked(TCPTracking.Outcome)
        /// A SYN on a closed state: remove the state with this id and create a new one.
        case reuse(StateID)

        /// Whether the tracking changed the state (and so must be replicated).
        var changedState: Bool {
            if case .tracked(let outcome) = self { return outcome != .outOfWindow }
            return false
        }
    }

    /// TCP: flag policy, then the state found by either key (full or sloppy tracking as the
    /// state's PFSTATE_SLOPPY flag says), else creation on a SYN without ACK (or on any
    /// packet with ``TrackerConfig/createOnAnyTCP``).
    mutating func processTCP(_ packet: ParsedPacket) -> Verdict {
        guard TCPFlagPolicy.isAcceptable(packet.tcpFlags) else { return .invalid }
        let forward = FlowKey.forward(of: packet, direction: config.direction)
        var match = Self.trackTCP(packet, key: forward, fromSource: true, in: table, now: clock, timeouts: config.timeouts)
        if match == nil {
            match = Self.trackTCP(
                packet, key: FlowKey.reversed(forward), fromSource: false, in: table, now: clock,
                timeouts: config.timeouts)
        }
        switch match {
        case .tracked(.accepted)?:
            return .matched
        case .tracked(.acceptedLoosely)?:
            summary.matchedLoosely &+= 1
            return .matched
        case .tracked(.outOfWindow)?:
            return .outOfWindow
        case .reuse(let old)?:
            _ = table.remove(old, recordChange: true)
            summary.recycled &+= 1
            return createTCP(packet, key: forward)
        case nil:
            typealias F = ParsedPacket.TCPFlags
            let isInitialSYN = packet.tcpFlags & (F.syn | F.ack) == F.syn
            guard isInitialSYN || config.createOnAnyTCP else { return .noState }
            return createTCP(packet, key: forward)
        }
    }

    /// Runs pf's tracking on the state holding `key`, if any, under its shard lock.
    @inline(__always)
    static func trackTCP(
        _ packet: ParsedPacket, key: StateLookupKey, fromSource: Bool, in table: StateTable,
        now: UInt32, timeouts: TrackerTimeouts
    ) -> TCPMatch? {
        // Only a packet that changed the state is queued for replication: an out-of-window
        // packet or a port-reuse SYN leaves it as it was.
        table.update(key: key, recordChangeIf: { (match: TCPMatch) in match.changedState }) { state -> TCPMatch in
            if TCPTracking.isReuse(of: state, flags: packet.tcpFlags) {
                return .reuse(state.identity)
            }
            if TCPTracking.windowScaleCutOff(in: packet) { state.stateFlags |= PFStateFlags.sloppy }
            let outcome: TCPTracking.Outcome
            if state.stateFlags & PFStateFlags.sloppy != 0 {
                outcome = TCPTracking.trackSloppy(
                    &state, packet: packet, fromSource: fromSource, now: now, timeouts: timeouts)
            } else {
                outcome = TCPTracking.trackFull(
                    &state, packet: packet, fromSource: fromSource, now: now, timeouts: timeouts)
            }
            if outcome != .outOfWindow {
                count(packet, in: &state, fromSource: fromSource)
            }
            return .tracked(outcome)
        }
    }

    mutating func createTCP(_ packet: ParsedPacket, key: StateLookupKey) -> Verdict {
        var state = newState(for: packet, key: key)
        if config.sloppy || TCPTracking.windowScaleCutOff(in: packet) { state.stateFlags |= PFStateFlags.sloppy }
        TCPTracking.initialize(&state, packet: packet, now: clock, timeouts: config.timeouts)
        return insert(state)
    }
}
