import PFSyncCore

/// The pf-like connection tracker: parsed packets in, states in a ``StateTable`` out.
///
/// Single-threaded: one tracker per packet source, driven synchronously (the table itself
/// is thread-safe, so several trackers with different creator ids may share it).
/// ``process(_:)`` gives each packet exactly one ``Verdict`` and keeps ``summary`` exact.
///
/// ## Clock and expiry
/// The tracker's ``clock`` (seconds) stamps `creation` and `expire`. With
/// ``followPacketTime`` (file replay) it follows the packets' capture time; otherwise the
/// owner calls ``advanceClock(to:)`` from a wall clock. As in pf, states are purged only by
/// the periodic sweep (every `interval` seconds of the clock, pf's default 10; 0 sweeps on
/// every advance), so a state may still match a packet between its expiry and the sweep.
///
/// ## Replication
/// Every created or matched state is recorded in the table's change log (pf calls
/// `pfsync_update_state` for each passed packet). The table's `update` decides recording
/// before the tracking runs, so an out-of-window packet also leaves a (no-op) pending update.
public struct Tracker {
    /// The table states live in.
    public let table: StateTable
    /// The configuration.
    public internal(set) var config: TrackerConfig
    /// Counters since creation.
    public internal(set) var summary = TrackerSummary()
    /// Current time in seconds (see "Clock and expiry").
    public internal(set) var clock: UInt32
    /// Follow packet capture times (true) or only ``advanceClock(to:)`` (false).
    public var followPacketTime: Bool
    /// The identity of the last state this tracker inserted (pfsync's defer waits for its
    /// acknowledgement).
    public internal(set) var lastCreated: StateID?

    @usableFromInline var ids: StateIDGenerator
    @usableFromInline var nextPurge: UInt32
    @usableFromInline var expiredScratch: [StateID] = []

    /// Creates a tracker.
    ///
    /// - Parameters:
    ///   - table: where states go.
    ///   - config: timeouts, strictness, creator id, interface, direction.
    ///   - startTime: the initial clock (seconds); also seeds state ids (pf: boot time << 32).
    ///   - followPacketTime: let packet capture times drive the clock (file replay).
    public init(table: StateTable, config: TrackerConfig = TrackerConfig(), startTime: UInt32, followPacketTime: Bool = true) {
        self.table = table
        self.config = config
        self.clock = startTime
        self.followPacketTime = followPacketTime
        self.ids = StateIDGenerator(startSeconds: startTime)
        self.nextPurge = startTime &+ config.timeouts.interval
    }

    /// Moves the clock forward to `now` (never back) and, when the purge interval has
    /// passed, removes expired states from the table (recording deletes for pfsync).
    /// Returns how many states this call removed.
    @discardableResult
    public mutating func advanceClock(to now: UInt32) -> Int {
        guard now > clock else { return 0 }
        clock = now
        guard now >= nextPurge else { return 0 }
        nextPurge = now &+ config.timeouts.interval
        return purgeExpired()
    }

    /// Removes every state whose expiry is at or before the clock now, regardless of the
    /// purge interval. Returns how many were removed.
    @discardableResult
    public mutating func purgeExpired() -> Int {
        expiredScratch.removeAll(keepingCapacity: true)
        let removed = table.expire(now: clock, into: &expiredScratch)
        summary.expired &+= UInt64(removed)
        if removed > 0 { table.changeSignal.poke() }
        return removed
    }

    /// The state a packet from `source` to `destination` would match, and whether the
    /// packet would come from the state's originator (for inspection and tests).
    public func lookup(
        af: AddressFamily = .inet, proto: UInt8, source: IPAddress, destination: IPAddress,
        sourcePort: UInt16, destinationPort: UInt16
    ) -> (state: PFState, fromSource: Bool)? {
        let forward = FlowKey.forward(
            af: af, proto: proto, source: source, destination: destination,
            sourcePort: sourcePort, destinationPort: destinationPort, direction: config.direction)
        if let state = table.state(forKey: forward) { return (state, true) }
        if let state = table.state(forKey: FlowKey.reversed(forward)) { return (state, false) }
        return nil
    }
}
