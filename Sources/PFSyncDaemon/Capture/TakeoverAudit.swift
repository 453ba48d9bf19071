import PFSyncCore
import PFSyncTracker
import Synchronization

/// What the new master's trackers saw after this node took over: every session's first
/// packet after the takeover either matched a replicated state (survived), or got "no
/// state" / "out of window" (lost: pf would have dropped it). Sessions whose first packet
/// created a state are new, not judged. The figures `status` and `stats` show after a
/// failover, and what the lab reports as sessions lost.
public final class TakeoverAudit: Sendable {
    private let generationValue = Atomic<UInt64>(0)
    private let takeoverNanos = Atomic<UInt64>(0)
    private let tested = Atomic<UInt64>(0)
    private let survived = Atomic<UInt64>(0)
    private let lostNoState = Atomic<UInt64>(0)
    private let lostOutOfWindow = Atomic<UInt64>(0)
    private let created = Atomic<UInt64>(0)

    /// The figures counted.
    public enum Figure: Int, CaseIterable, Sendable {
        /// Sessions whose first packet after the takeover was judged.
        case tested
        /// ... matched a replicated state.
        case survived
        /// ... got no state (lost under strict and sloppy tracking).
        case lostNoState
        /// ... was outside the state's window (lost under strict tracking only).
        case lostOutOfWindow
        /// Sessions that started after the takeover.
        case created

        /// The name in JSON.
        public var name: String {
            switch self {
            case .tested: return "tested"
            case .survived: return "survived"
            case .lostNoState: return "lost_no_state"
            case .lostOutOfWindow: return "lost_out_of_window"
            case .created: return "created"
            }
        }
    }

    /// Not armed.
    public init() {}

    /// Starts a new audit: this node just became master. Earlier figures are reset.
    public func arm(nowNanos: UInt64) {
        for figure in Figure.allCases { withCounter(figure) { $0.store(0, ordering: .relaxed) } }
        takeoverNanos.store(nowNanos, ordering: .relaxed)
        generationValue.add(1, ordering: .releasing)
    }

    /// 0 until the first takeover; each takeover increments it.
    public var generation: UInt64 { generationValue.load(ordering: .acquiring) }

    /// When the current audit started (monotonic nanoseconds), nil if never armed.
    public var armedAtNanos: UInt64? { generation == 0 ? nil : takeoverNanos.load(ordering: .relaxed) }

    func count(_ figure: Figure) {
        withCounter(figure) { _ = $0.add(1, ordering: .relaxed) }
    }

    /// The current value of `figure`.
    public func value(_ figure: Figure) -> UInt64 {
        withCounter(figure) { $0.load(ordering: .relaxed) }
    }

    private func withCounter<T>(_ figure: Figure, _ body: (borrowing Atomic<UInt64>) -> T) -> T {
        switch figure {
        case .tested: return body(tested)
        case .survived: return body(survived)
        case .lostNoState: return body(lostNoState)
        case .lostOutOfWindow: return body(lostOutOfWindow)
        case .created: return body(created)
        }
    }

    /// Lost sessions under strict tracking (pf's default).
    public var lostStrict: UInt64 { value(.lostNoState) &+ value(.lostOutOfWindow) }
}

/// One packet source's side of the ``TakeoverAudit``: which sessions it judged already
/// (only the first packet after the takeover counts). Lives on the capture thread.
struct TakeoverAuditor {
    let audit: TakeoverAudit
    private var generation: UInt64 = 0
    private var judged: Set<SessionFingerprint> = []
    /// Sessions judged per takeover at most (bounds memory under a flood).
    static let limit = 4_000_000

    init(audit: TakeoverAudit) {
        self.audit = audit
    }

    /// Judges `packet` if it is the first of its session since the takeover.
    mutating func observe(_ packet: ParsedPacket, verdict: Verdict) {
        let current = audit.generation
        guard current != 0 else { return }
        if current != generation {
            generation = current
            judged.removeAll(keepingCapacity: true)
        }
        guard verdict != .invalid, verdict != .notIP, judged.count < Self.limit else { return }
        guard judged.insert(SessionFingerprint(packet)).inserted else { return }
        switch verdict {
        case .created:
            audit.count(.created)
        case .matched:
            audit.count(.tested)
            audit.count(.survived)
        case .noState:
            audit.count(.tested)
            audit.count(.lostNoState)
        case .outOfWindow:
            audit.count(.tested)
            audit.count(.lostOutOfWindow)
        case .invalid, .notIP:
            break
        }
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
