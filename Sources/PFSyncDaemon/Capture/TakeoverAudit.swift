import PFSyncCore
import PFSyncTracker
import Synchronization

/// What the new master's trackers saw after this node took over. Every session's first
/// packet after the takeover either matched a replicated state (survived) or got "no
/// state" / "out of window" (pf would drop it). A dropped session that later passes a
/// packet (the state caught up: TCP's retransmission gets through) only stalled; one that
/// passes none is lost. Sessions whose first packet created a state are new, not judged.
/// The figures `status` and `stats` show after a failover, and what the lab reports as
/// sessions lost.
public final class TakeoverAudit: Sendable {
    private let generationValue = Atomic<UInt64>(0)
    private let takeoverNanos = Atomic<UInt64>(0)
    private let tested = Atomic<UInt64>(0)
    private let survived = Atomic<UInt64>(0)
    private let stalled = Atomic<UInt64>(0)
    private let lostNoState = Atomic<UInt64>(0)
    private let lostOutOfWindow = Atomic<UInt64>(0)
    private let created = Atomic<UInt64>(0)
    private let dropLines = Mutex<[String]>([])
    /// Dropped sessions described per takeover at most (see ``droppedSessions``).
    public static let describedLimit = 16

    /// The figures counted.
    public enum Figure: Int, CaseIterable, Sendable {
        /// Sessions whose first packet after the takeover was judged.
        case tested
        /// ... matched a replicated state.
        case survived
        /// ... was dropped, but a later packet of the session passed.
        case stalled
        /// ... got no state and none passed since (lost under strict and sloppy tracking).
        case lostNoState
        /// ... was outside the state's window and none passed since (lost under strict
        /// tracking only).
        case lostOutOfWindow
        /// Sessions that started after the takeover.
        case created

        /// The name in JSON.
        public var name: String {
            switch self {
            case .tested: return "tested"
            case .survived: return "survived"
            case .stalled: return "stalled"
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
        dropLines.withLock { $0.removeAll() }
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

    /// A session counted as lost for `reason` passed a packet after all: it only stalled.
    func recovered(from reason: Figure) {
        withCounter(reason) { _ = $0.subtract(1, ordering: .relaxed) }
        count(.stalled)
    }

    /// The current value of `figure`.
    public func value(_ figure: Figure) -> UInt64 {
        withCounter(figure) { $0.load(ordering: .relaxed) }
    }

    /// The first sessions of the current audit whose first packet was dropped (at most
    /// ``describedLimit``), one line each: the packet and the state it met, to tell a
    /// replication lag from a missing state. Stalled sessions stay listed.
    public var droppedSessions: [String] { dropLines.withLock { $0 } }

    /// Whether another dropped session may still be described.
    var describesMore: Bool { dropLines.withLock { $0.count < Self.describedLimit } }

    func describeDrop(_ line: String) {
        dropLines.withLock { lines in
            if lines.count < Self.describedLimit { lines.append(line) }
        }
    }

    private func withCounter<T>(_ figure: Figure, _ body: (borrowing Atomic<UInt64>) -> T) -> T {
        switch figure {
        case .tested: return body(tested)
        case .survived: return body(survived)
        case .stalled: return body(stalled)
        case .lostNoState: return body(lostNoState)
        case .lostOutOfWindow: return body(lostOutOfWindow)
        case .created: return body(created)
        }
    }

    /// Lost sessions under strict tracking (pf's default).
    public var lostStrict: UInt64 { value(.lostNoState) &+ value(.lostOutOfWindow) }
}
