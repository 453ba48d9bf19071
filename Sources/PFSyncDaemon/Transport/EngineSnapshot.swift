import PFSyncReplication

/// A consistent copy of the replication engine's view, taken on its event loop.
public struct EngineSnapshot: Sendable {
    /// Every engine counter.
    public var counters: ReplicationCounters
    /// Peer, sequences and bulk progress.
    public var status: EngineStatus
    /// ACK latency samples.
    public var lag: LagHistogram
    /// Socket-level counters.
    public var transport: TransportCounters
    /// When the snapshot was taken (monotonic nanoseconds), to age `status.lastFrameNanos`.
    public var takenNanos: UInt64
    /// The sync mode (`sync.mode`): "pfsyncd" or "pfsync" (plain pfsync on IP protocol 240).
    public var mode: String

    /// Creates a snapshot.
    public init(
        counters: ReplicationCounters, status: EngineStatus, lag: LagHistogram, transport: TransportCounters,
        takenNanos: UInt64, mode: String = "pfsyncd"
    ) {
        self.counters = counters
        self.status = status
        self.lag = lag
        self.transport = transport
        self.takenNanos = takenNanos
        self.mode = mode
    }
}
