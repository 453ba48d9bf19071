import Synchronization

/// This node's role as `status` shows it. With a `[carp]` section the role is CARP's
/// ("init", "backup", "master", or "mixed" when vhids differ). Without CARP a node is
/// "active"; `pfsyncd promote` marks it "master".
public final class NodeRole: Sendable {
    private let promoted = Atomic<Bool>(false)
    /// The CARP election's view, when CARP runs.
    public let carp: CARPMonitor?
    /// Judges the sessions this node sees after it becomes master (armed on every takeover,
    /// by ``promote()`` or by CARP).
    public let audit: TakeoverAudit?

    /// Not promoted; `carp` when CARP decides the role.
    public init(carp: CARPMonitor? = nil, audit: TakeoverAudit? = nil) {
        self.carp = carp
        self.audit = audit
        if let audit {
            carp?.onBecomingMaster { audit.arm(nowNanos: DaemonClock.monotonicNanos()) }
        }
    }

    /// Marks the node master. Returns false when it already was.
    @discardableResult
    public func promote() -> Bool {
        let changed = !promoted.exchange(true, ordering: .acquiringAndReleasing)
        if changed, carp == nil { audit?.arm(nowNanos: DaemonClock.monotonicNanos()) }
        return changed
    }

    /// True after ``promote()``.
    public var isPromoted: Bool { promoted.load(ordering: .acquiring) }

    /// CARP's role when CARP runs; otherwise "master" once promoted, else "active".
    public var name: String {
        if let carp { return carp.current.role }
        return isPromoted ? "master" : "active"
    }
}
