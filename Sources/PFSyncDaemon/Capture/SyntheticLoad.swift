/// The `[testing] synthetic_*` load: a writer thread that inserts `states` TCP states with
/// distinct keys, then applies `updates` random updates to them (by state id, bumping
/// sequence numbers and counters like a TCP packet would), for benchmarks of replication
/// without packet capture. Never configured in production.
public struct SyntheticLoad: Sendable, Hashable {
    /// TCP states inserted first (distinct keys, ids from this node's creator id).
    public var states: Int
    /// Random updates applied after the inserts (0: none).
    public var updates: UInt64
    /// Updates per second (0: as fast as the table takes them).
    public var rate: Double
    /// Whether the inserts are recorded for replication (sent as INS); false leaves them
    /// to a bulk update.
    public var replicateInserts: Bool
    /// The creator id of the inserted states.
    public var creatorID: UInt32

    /// A load description.
    public init(states: Int, updates: UInt64, rate: Double, replicateInserts: Bool, creatorID: UInt32) {
        self.states = states
        self.updates = updates
        self.rate = rate
        self.replicateInserts = replicateInserts
        self.creatorID = creatorID
    }

    /// The capture-source name the load shows under in `pfsyncd status`.
    public static let sourceName = "synthetic"
}
