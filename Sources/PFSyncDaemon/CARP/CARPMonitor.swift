import PFSyncCARP
import Synchronization

/// What `status` and `stats` show about CARP, published by the CARP service after every
/// event, and the way the control socket reaches the election (`demote`, `promote`).
public final class CARPMonitor: Sendable {
    /// One virtual host as shown.
    public struct Host: Sendable, Hashable {
        /// The vhid.
        public var vhid: UInt8
        /// Its interface.
        public var interface: String
        /// Its state.
        public var state: CARPState
        /// The master as last seen.
        public var master: String?
        /// True while in split brain.
        public var splitBrain: Bool
        /// Configured advbase / advskew.
        public var advbase: UInt8
        /// Configured skew.
        public var advskew: UInt8
        /// The virtual addresses.
        public var addresses: [String]
    }

    /// A copy of the published view.
    public struct Snapshot: Sendable, Hashable {
        /// "init", "backup", "master" or "mixed".
        public var role = "init"
        /// The hosts.
        public var hosts: [Host] = []
        /// Counters.
        public var counters = CARPCounters()
        /// The demotion total.
        public var demotion: UInt8 = 0
        /// Each reason's part.
        public var demotionParts: [String: Int] = [:]
        /// True when any host is in split brain.
        public var splitBrain = false
    }

    private let view = Mutex(Snapshot())
    private let demoter = Mutex<(@Sendable (CARPDemotion.Reason, Int) -> Void)?>(nil)

    /// An empty monitor (role "init").
    public init() {}

    /// The current view.
    public var current: Snapshot { view.withLock { $0 } }

    private let masterHook = Mutex<(@Sendable () -> Void)?>(nil)

    /// Replaces the view (the CARP service calls this on its event loop). When the first
    /// virtual host becomes master, the hook installed by ``onBecomingMaster(_:)`` runs.
    func publish(_ snapshot: Snapshot) {
        let wasMaster = view.withLock { old -> Bool in
            let was = old.hosts.contains { $0.state == .master }
            old = snapshot
            return was
        }
        if !wasMaster, snapshot.hosts.contains(where: { $0.state == .master }) {
            masterHook.withLock { $0 }?()
        }
    }

    /// Runs `hook` whenever this node becomes master of a virtual host after being master
    /// of none (a takeover).
    public func onBecomingMaster(_ hook: @escaping @Sendable () -> Void) { masterHook.withLock { $0 = hook } }

    /// Installs the hook that changes the demotion on the election's event loop.
    func install(demoter hook: (@Sendable (CARPDemotion.Reason, Int) -> Void)?) { demoter.withLock { $0 = hook } }

    /// Sets the manual demotion; false when the election is not running.
    @discardableResult
    public func setManualDemotion(_ value: Int) -> Bool {
        guard let hook = demoter.withLock({ $0 }) else { return false }
        hook(.manual, value)
        return true
    }

    /// Sets the demotion of any reason (the service itself, and tests).
    func setDemotion(_ reason: CARPDemotion.Reason, _ value: Int) {
        demoter.withLock { $0 }?(reason, value)
    }
}
