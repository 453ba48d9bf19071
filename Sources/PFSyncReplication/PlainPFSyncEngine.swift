import PFSyncCore
import PFSyncWire

/// Plain pfsync (FreeBSD version 5) for one node, as the kernel speaks it on IP protocol
/// 240: no sync frame, no key, no compression, no reliability layer.
///
/// - Out: INS for a new state, UPD_C (without counters) for a change, DEL_C for a
///   deletion, batched into packets of at most ``EngineConfig/maxDatagramSize`` bytes
///   (the IP payload: MTU - 20), each ending with FreeBSD's EOF sub-header.
/// - In: whole IPv4 datagrams from a raw socket. A packet that did not arrive on the sync
///   interface is `badif`, one whose TTL is not 255 is `badttl`; then the pfsync header is
///   checked (`hdrops`, `badver`, `badlen`) and the messages applied by pfsync's rules.
/// - UPD_C for an unknown state asks for it with UPD_REQ; UPD_REQ is answered with a full
///   UPD; UPD_REQ(0, 0) with a bulk update (BUS START, full UPDs, BUS END).
/// - On start it asks for a bulk update, retried every ``EngineConfig/bulkRetryNanos``,
///   given up after ``EngineConfig/bulkMaxTries`` tries.
///
/// No I/O and no locks of its own, like ``ReplicationEngine``: the caller owns the socket
/// and the clock and calls it from one thread. Packets to send are handed to a `send`
/// closure that must not keep the buffer.
public final class PlainPFSyncEngine {
    /// The settings (``EngineConfig/maxDatagramSize`` bounds the pfsync packet,
    /// ``EngineConfig/replicateCounters`` is ignored: plain UPD_C carries no counters).
    public let config: EngineConfig
    /// The table this node replicates.
    public let table: StateTable
    /// Published counters for other threads.
    public let stats: ReplicationStats

    var counters = ReplicationCounters()
    var writer: PFSyncPacketWriter
    /// Messages waiting to be packed.
    var outbound: [PFSyncMessage] = []
    var deltas: [StateDelta] = []
    var bulkScratch: [PFState] = []
    var expiredScratch: [StateID] = []
    var lastPurgeNanos: UInt64 = 0
    var lastBulkRequestNanos: UInt64 = 0
    var bulkStartedNanos: UInt64 = 0
    var lastReceiveNanos: UInt64 = 0
    var bulkSendStartedSeconds: UInt32 = 0
    var bulkCursor: (shard: Int, cursor: Int) = (0, 0)
    /// Where the running bulk send stops in each shard (``StateTable/slotMarks()`` when it
    /// started): the states the table held when the peer asked; later ones reach the peer
    /// as live changes, or came from it.
    var bulkSlotMarks: [Int] = []

    /// What `pfsyncd status` shows. Plain pfsync carries no sender id: ``EngineStatus/peerID``
    /// is the creatorid of the peer's BUS messages or of the states it inserts.
    public internal(set) var status = EngineStatus()

    /// Creates an engine.
    public init(config: EngineConfig, table: StateTable, stats: ReplicationStats = ReplicationStats()) {
        self.config = config
        self.table = table
        self.stats = stats
        writer = PFSyncPacketWriter(
            version: config.pfsyncVersion, encoding: config.stateEncoding,
            maxLength: min(max(config.maxDatagramSize, 400), 65_515))
        status.bulk.shardCount = table.shardCount
    }

    /// Nothing queued and no bulk being sent: ticks may slow down until a change or a packet
    /// (bulk request retries are paced in seconds).
    public var isQuiet: Bool {
        outbound.isEmpty && !status.bulk.sending
    }

    /// The counters as of now (the engine's own copy).
    public var currentCounters: ReplicationCounters { counters }

    /// Starts replication: asks the peer for a bulk update (UPD_REQ 0/0) if configured to.
    public func start(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        if config.requestBulkOnStart {
            requestBulk(nowNanos: nowNanos, send: send)
        }
        publish()
    }

    /// Sends every pending change of the table (coalesced per state since the last flush)
    /// and whatever else is queued; returns the number of packets sent. `stateNow` is the
    /// table's clock in seconds.
    @discardableResult
    public func flush(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) -> Int {
        table.drainAllChanges { kind, state, _, changes in
            deltas.append(StateDelta(kind: kind, state: state.pointee, changes: changes))
        }
        // pfsync refuses an insert whose key another state still holds, and a recycled
        // flow's old and new states often sit in different shards: every delete of the
        // flush goes out before any insert or update.
        for delta in deltas where delta.kind == .delete {
            outbound.append(message(for: delta, stateNow: stateNow))
        }
        for delta in deltas where delta.kind != .delete {
            outbound.append(message(for: delta, stateNow: stateNow))
        }
        deltas.removeAll(keepingCapacity: true)
        return sendOutbound(send: send)
    }

    /// Periodic work: pf's purge of expired states, pending changes, bulk pacing and bulk
    /// request retries. Call it every flush interval.
    public func tick(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        if config.purgeIntervalNanos > 0, nowNanos &- lastPurgeNanos >= config.purgeIntervalNanos {
            lastPurgeNanos = nowNanos
            table.expire(now: stateNow, limit: 65_536, into: &expiredScratch)
            expiredScratch.removeAll(keepingCapacity: true)
        }
        flush(nowNanos: nowNanos, stateNow: stateNow, send: send)
        continueBulkSend(nowNanos: nowNanos, stateNow: stateNow, send: send)
        retryBulkRequest(nowNanos: nowNanos, send: send)
        if let last = status.lastFrameNanos {
            status.peerAlive = nowNanos &- last < config.peerTimeoutNanos
        }
        publish()
    }

    /// Publishes the counters to ``stats``.
    public func publish() {
        counters[.queueDepth] = UInt64(outbound.count)
        stats.publish(counters)
    }
}
