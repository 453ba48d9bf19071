/// Where a bulk update stands, as `pfsyncd status` shows it.
public enum BulkPhase: String, Sendable, Hashable {
    /// Nothing asked for.
    case idle
    /// Asked, no answer yet.
    case requested
    /// BUS START seen, full states arriving.
    case receiving
    /// BUS END seen.
    case done
    /// No answer after every try, or no BUS END in time.
    case failed
}

/// The state of both directions of bulk transfer.
public struct BulkView: Sendable, Hashable {
    /// Our request to the peer.
    public var incoming: BulkPhase = .idle
    /// States received in the current/last incoming bulk.
    public var statesReceived: UInt64 = 0
    /// Requests sent for the current incoming bulk.
    public var tries: Int = 0
    /// Milliseconds the last completed incoming bulk took.
    public var lastDurationMilliseconds: Double?
    /// True while we stream our table to the peer.
    public var sending: Bool = false
    /// States sent in the current/last outgoing bulk.
    public var statesSent: UInt64 = 0
    /// Shards done in the current outgoing bulk, out of ``shardCount``.
    public var shardsDone: Int = 0
    /// Shards of the table.
    public var shardCount: Int = 0

    /// No bulk either way.
    public init() {}
}

/// What `pfsyncd status` shows about replication.
public struct EngineStatus: Sendable, Hashable {
    /// The peer's creatorid, once heard.
    public var peerID: UInt32?
    /// The peer's epoch, once heard.
    public var peerEpoch: UInt32?
    /// Nanoseconds (caller's clock) when the last valid frame arrived.
    public var lastFrameNanos: UInt64?
    /// Whether the peer was heard within the peer timeout.
    public var peerAlive: Bool = false
    /// Highest DATA sequence sent.
    public var sentSequence: UInt64 = 0
    /// Next DATA sequence expected from the peer.
    public var expectedSequence: UInt64 = 0
    /// Bulk transfer state.
    public var bulk = BulkView()

    /// Nothing heard, nothing sent.
    public init() {}
}
