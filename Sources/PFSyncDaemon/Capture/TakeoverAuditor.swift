import PFSyncCore
import PFSyncTracker

/// One packet source's side of the ``TakeoverAudit``: how it judged each session since the
/// takeover (the first packet decides; a later passing packet turns a drop into a stall).
/// Lives on the capture thread.
struct TakeoverAuditor {
    let audit: TakeoverAudit
    /// Where the state a dropped session met is looked up, to describe it.
    let table: StateTable?
    private var generation: UInt64 = 0
    private var sessions: [SessionFingerprint: Judgement] = [:]
    /// Sessions judged per takeover at most (bounds memory under a flood).
    static let limit = 4_000_000

    /// How a session's packets fared so far.
    private enum Judgement {
        /// Passed (or created): nothing more to learn.
        case settled
        /// The first packet was dropped for this reason and none passed since.
        case dropped(TakeoverAudit.Figure)
    }

    init(audit: TakeoverAudit, table: StateTable? = nil) {
        self.audit = audit
        self.table = table
    }

    /// Judges `packet` if it is the first of its session since the takeover, or the first
    /// to pass after the session's first packet was dropped.
    mutating func observe(_ packet: ParsedPacket, verdict: Verdict) {
        let current = audit.generation
        guard current != 0 else { return }
        if current != generation {
            generation = current
            sessions.removeAll(keepingCapacity: true)
        }
        guard verdict != .invalid, verdict != .notIP else { return }
        let session = SessionFingerprint(packet)
        if let judgement = sessions[session] {
            if case .dropped(let reason) = judgement, verdict == .matched {
                sessions[session] = .settled
                audit.recovered(from: reason)
            }
            return
        }
        guard sessions.count < Self.limit else { return }
        switch verdict {
        case .created:
            sessions[session] = .settled
            audit.count(.created)
        case .matched:
            sessions[session] = .settled
            audit.count(.tested)
            audit.count(.survived)
        case .noState:
            sessions[session] = .dropped(.lostNoState)
            audit.count(.tested)
            audit.count(.lostNoState)
            describe(packet, verdict: verdict)
        case .outOfWindow:
            sessions[session] = .dropped(.lostOutOfWindow)
            audit.count(.tested)
            audit.count(.lostOutOfWindow)
            describe(packet, verdict: verdict)
        case .invalid, .notIP:
            break
        }
    }

    /// Records why `packet` was dropped, with the state it met (rare: off the hot path).
    private func describe(_ packet: ParsedPacket, verdict: Verdict) {
        guard audit.describesMore else { return }
        var state: PFState?
        if let table {
            let key = StateKey(
                addr0: packet.srcAddr, addr1: packet.dstAddr, port0: packet.srcPort, port1: packet.dstPort, af: packet.af)
            let reversed = StateKey(
                addr0: packet.dstAddr, addr1: packet.srcAddr, port0: packet.dstPort, port1: packet.srcPort, af: packet.af)
            state = table.state(forKey: StateLookupKey(key: key, proto: packet.proto))
                ?? table.state(forKey: StateLookupKey(key: reversed, proto: packet.proto))
        }
        audit.describeDrop(DroppedPacketText.line(packet, verdict: verdict, state: state))
    }
}

/// A session's endpoints in a canonical order (lower address/port pair first), so both
/// directions of a session give the same fingerprint.
struct SessionFingerprint: Hashable {
    let proto: UInt8
    let lowAddress: IPAddress
    let highAddress: IPAddress
    let lowPort: UInt16
    let highPort: UInt16

    init(_ packet: ParsedPacket) {
        proto = packet.proto
        let source = (packet.srcAddr.high, packet.srcAddr.low, packet.srcPort)
        let destination = (packet.dstAddr.high, packet.dstAddr.low, packet.dstPort)
        if source <= destination {
            (lowAddress, lowPort, highAddress, highPort) = (packet.srcAddr, packet.srcPort, packet.dstAddr, packet.dstPort)
        } else {
            (lowAddress, lowPort, highAddress, highPort) = (packet.dstAddr, packet.dstPort, packet.srcAddr, packet.srcPort)
        }
    }
}
