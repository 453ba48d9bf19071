import Synchronization

/// The published view of the engine's counters, readable from any thread
/// (`pfsyncd stats`, metrics). The engine calls ``publish(_:)`` on every tick.
public final class ReplicationStats: Sendable {
    private let snapshot = Mutex(ReplicationCounters())

    /// Creates an empty view.
    public init() {}

    /// Replaces the published counters.
    public func publish(_ counters: ReplicationCounters) {
        snapshot.withLock { $0 = counters }
    }

    /// The last published counters.
    public var current: ReplicationCounters {
        snapshot.withLock { $0 }
    }
}
