import PFSyncWire

/// Settings of one ``ReplicationEngine``. Times are in nanoseconds of the caller's
/// monotonic clock.
public struct EngineConfig: Sendable {
    /// This node's creatorid (the sender id of its frames).
    public var nodeID: UInt32
    /// This run's epoch (pick a new one at every start; e.g. the start time in seconds).
    public var epoch: UInt32
    /// Largest datagram payload (UDP payload: MTU - IP - UDP headers).
    public var maxDatagramSize: Int = 1472
    /// Full-state format in DATA frames (plain pfsync: in its packets; `.openBSD` with
    /// ``pfsyncVersion`` 6).
    public var stateEncoding: StateEncoding = .freeBSD1400
    /// Plain pfsync's packet version: FreeBSD's 5, or OpenBSD's 6 (which is not
    /// interoperable with 5). The sync frames of the pfsyncd mode always carry version 5.
    public var pfsyncVersion: PFSyncVersion = .freeBSD
    /// Send UPD_CC (UPD_C plus packet and byte counters, a pfsyncd extension) instead of
    /// UPD_C, so that the peer's counters follow too.
    public var replicateCounters: Bool = true
    /// Send updates of states the peer already has a base for as delta updates (UPD_D,
    /// ``DeltaUpdate``) instead of UPD_CC, when the peer's HELLO says it takes them. Only
    /// with ``replicateCounters`` (the base includes the counters).
    public var deltaUpdates: Bool = true
    /// pfsync's maxupd: flush at once when a state has this many coalesced changes.
    public var maxUpdates: Int = 128
    /// Frames kept for retransmission.
    public var resendFrames: Int = 8192
    /// Keepalive interval.
    public var keepaliveNanos: UInt64 = 250_000_000
    /// Minimum time between two NACKs for the same gap.
    public var nackRetryNanos: UInt64 = 5_000_000
    /// A gap older than this is given up and resynchronised with a bulk update.
    public var gapTimeoutNanos: UInt64 = 1_000_000_000
    /// Send an ACK after this many delivered DATA frames (and on every keepalive tick).
    public var ackEveryFrames: Int = 64
    /// How long an ACK is held back to acknowledge several frames at once, when the peer
    /// takes delayed ACKs (``SyncHello/Features/ackDelay``): it goes with the first burst
    /// read or tick after this; 0: ACK each burst of received datagrams at once. A held ACK
    /// goes out at once when an eighth of the receive window (``receiveWindowFrames``, else
    /// ``ackEveryFrames``) waits for it, so the peer's flow control never waits on it.
    public var ackDelayNanos: UInt64 = 0
    /// How often an unanswered bulk request (HELLO with BULK_REQUEST) is repeated.
    public var bulkRetryNanos: UInt64 = 1_000_000_000
    /// pfsync gives up a bulk request after 12 tries.
    public var bulkMaxTries: Int = 12
    /// A bulk update that has not finished after this long is reported as failed.
    public var bulkTimeoutNanos: UInt64 = 60_000_000_000
    /// States a bulk sender encodes per ``ReplicationEngine/tick(nowNanos:stateNow:send:)``.
    public var bulkStatesPerTick: Int = 16_384
    /// Ask the peer for its whole table when starting.
    public var requestBulkOnStart: Bool = true
    /// How often expired states are swept from the table (pf's purge); 0 never. A node
    /// whose tracker runs sweeps too, but a backup without capture sources relies on this.
    public var purgeIntervalNanos: UInt64 = 1_000_000_000
    /// pfsync's `defer`: INS messages ask the peer for an INS_ACK (state flag
    /// ``PFStateFlags/ack``), which releases the packet held in ``insertAcknowledgements``.
    public var deferInserts: Bool = false
    /// Where received INS_ACKs are reported (the packet path holds packets on it).
    public var insertAcknowledgements: InsertAcknowledgements?
    /// Flow control: DATA frames sent but not yet acknowledged by the peer after which
    /// the engine stops draining the table (changes keep coalescing there, so nothing is
    /// lost, only merged) until ACKs catch up; 0 disables. Counts from the start, and lifts
    /// while no ACK came for ``peerTimeoutNanos``. The window is the smaller of this and
    /// the receive window the peer's HELLO says (until it says one: ``receiveWindowFrames``,
    /// this node's own, as the peer's best guess).
    public var maxFramesInFlight: UInt64 = 1024
    /// DATA frames this node's sync socket buffer holds, said in HELLO so that the peer's
    /// window fits it; 0: not said (the peer keeps its own limit).
    public var receiveWindowFrames: UInt64 = 0
    /// The peer counts as gone when nothing arrived for this long.
    public var peerTimeoutNanos: UInt64 = 3_000_000_000

    /// Creates a configuration.
    public init(nodeID: UInt32, epoch: UInt32) {
        self.nodeID = nodeID
        self.epoch = epoch
    }
}
