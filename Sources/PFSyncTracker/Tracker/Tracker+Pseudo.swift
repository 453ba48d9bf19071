import PFSyncCore

extension Tracker {
    /// UDP and other protocols: match either key and advance the pseudo-states, or create
    /// a state (pf's `pass keep state` creates one from any packet of these protocols).
    mutating func processPseudo(_ packet: ParsedPacket, family: PseudoTracking.Family) -> Verdict {
        let forward = FlowKey.forward(of: packet, direction: config.direction)
        let now = clock
        let timeouts = config.timeouts
        let found: Bool? = updateEitherKey(forward) { state, fromSource in
            PseudoTracking.track(&state, family: family, fromSource: fromSource, now: now, timeouts: timeouts)
            Self.count(packet, in: &state, fromSource: fromSource)
            return true
        }
        if found != nil { return .matched }
        var state = newState(for: packet, key: forward)
        PseudoTracking.initialize(&state, family: family, now: now, timeouts: timeouts)
        return insert(state)
    }

    /// ICMP / ICMPv6 queries (echo and other non-error types), keyed by the id the parser
    /// put in both ports: match either key (icmp.error timeout from then on) or create
    /// (icmp.first).
    mutating func processICMPQuery(_ packet: ParsedPacket) -> Verdict {
        let forward = FlowKey.forward(of: packet, direction: config.direction)
        let now = clock
        let timeouts = config.timeouts
        let found: Bool? = updateEitherKey(forward) { state, fromSource in
            PseudoTracking.trackICMP(&state, now: now, timeouts: timeouts)
            Self.count(packet, in: &state, fromSource: fromSource)
            return true
        }
        if found != nil { return .matched }
        var state = newState(for: packet, key: forward)
        PseudoTracking.initializeICMP(&state, now: now, timeouts: timeouts)
        return insert(state)
    }

    /// ICMP errors: matched through the state of the packet they quote (either key of the
    /// quoted flow); a quoted TCP sequence outside the sender's window is out of window, as
    /// pf drops it. The error is counted on the quoted state in the direction opposite to
    /// the quoted packet; the state's expiry is not refreshed (pf does not either). An
    /// error that quotes nothing usable is invalid; one quoting an unknown flow, no state.
    mutating func processICMPError(_ packet: ParsedPacket) -> Verdict {
        guard packet.hasQuoted else { return .invalid }
        let forward = FlowKey.forwardOfQuoted(packet, direction: config.direction)
        let plausible: Bool? = updateEitherKey(forward) { state, quotedFromSource in
            if packet.quotedProto == IPProtocol.tcp
                && !TCPTracking.quotedSequenceIsPlausible(
                    state, quotedSeq: packet.quotedSeq, quotedFromSource: quotedFromSource)
            {
                return false
            }
            Self.count(packet, in: &state, fromSource: !quotedFromSource)
            return true
        }
        switch plausible {
        case true?:
            summary.matchedICMPErrors &+= 1
            return .matched
        case false?:
            return .outOfWindow
        case nil:
            return .noState
        }
    }
}

extension Tracker {
    /// Runs `body` on the state holding `forward` (second argument true: the packet comes
    /// from the state's originator) or else on the state holding the reversed key (false).
    /// Returns nil when neither exists. No allocation.
    @inline(__always)
    func updateEitherKey<R>(
        _ forward: StateLookupKey, _ body: (inout PFState, Bool) -> R
    ) -> R? {
        if let result = table.update(key: forward, recordChange: true, { body(&$0, true) }) {
            return result
        }
        return table.update(key: FlowKey.reversed(forward), recordChange: true, { body(&$0, false) })
    }
}
