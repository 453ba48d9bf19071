import PFSyncCore
import PFSyncWire

/// The replication engine of one node: turns the table's coalesced changes into
/// authenticated, compressed, sequenced sync frames, and the peer's frames back into table
/// changes; keeps delivery reliable (NACK-driven retransmission, keepalives, resync by bulk
/// update) and answers and requests bulk updates.
///
/// No I/O and no locks of its own: the caller owns the socket and the clock, and calls the
/// engine from one thread (an event loop). Frames to send are handed to a `send` closure
/// that must not keep the buffer.
public final class ReplicationEngine {
    /// The settings.
    public let config: EngineConfig
    /// The table this node replicates.
    public let table: StateTable
    /// Published counters for other threads.
    public let stats: ReplicationStats

    var counters = ReplicationCounters()
    var sealer: SyncFrameSealer
    var opener: SyncFrameOpener
    var writer: PFSyncPacketWriter
    var resend: ResendBuffer
    var window: ReceiveWindow<[UInt8]>
    var sentAt: [UInt64]
    /// When each frame of the resend ring was last retransmitted (0: never).
    var resentAt: [UInt64]

    /// Messages waiting to be framed.
    var outbound: [PFSyncMessage] = []
    /// Inserts and updates of one flush, queued after its deletions.
    var laterScratch: [PFSyncMessage] = []
    var deltas: [StateDelta] = []
    /// Delta updates of one flush, framed after its messages.
    var outgoingDeltas = OutgoingDeltas()
    /// Delta updates of the frame being applied, and what they need sent back.
    var deltasReceived: [DeltaUpdate] = []
    var deltaFollowUps: [DeltaFollowUp] = []
    var batchScratch = StateBatchScratch()
    /// The peer's HELLO said it takes delta updates.
    var peerTakesDeltas = false
    /// The peer's HELLO said it takes delayed ACKs.
    var peerTakesAckDelay = false
    /// The peer's HELLO said it takes padded frames (``SyncHello/Features/paddedFrames``):
    /// the transport may then send a burst of frames as one UDP GSO write.
    public internal(set) var peerTakesPaddedFrames = false
    /// The largest frame this engine seals (the configured datagram size, as the sealer
    /// clamps it): what a transport pads a GSO batch's frames to.
    public var maxFrameSize: Int { sealer.maxDatagramSize }
    /// The epoch of this node's delta bases: raised when the peer (re)starts or lost
    /// frames for good, which makes every base invalid at once (never 0).
    var baseEpoch: UInt32 = 1
    var bulkScratch: [PFState] = []
    /// The states of ``bulkScratch`` before this one are sent.
    var bulkScratchSent = 0
    /// Full states of the payload being applied (decoded in place, applied in runs).
    var fullStateBatch: [PFState] = []
    var controlPayload: [UInt8] = []
    var rangesScratch: [ClosedRange<UInt64>] = []

    /// Raw pfsync bytes per frame the batcher aims at, adapted to the compression ratio.
    var rawTarget: Int
    var nextSequence: UInt64 = 1
    var deliveredSinceAck = 0
    /// When the first frame not acknowledged yet was delivered (valid while
    /// ``deliveredSinceAck`` > 0).
    var firstUnackedDeliveryNanos: UInt64 = 0
    /// When the newest delivered frame was delivered (an ACK says how long it waited since).
    var lastDeliveryNanos: UInt64 = 0
    var ackedThrough: UInt64 = 0
    var lastNackNanos: UInt64 = 0
    /// Flow control: DATA frames in flight to the peer (see ``EngineConfig/maxFramesInFlight``).
    var sendWindow: SendWindow
    /// The peer epoch the window counts for (a HELLO with another one is a restart).
    var windowPeerEpoch: UInt32?
    /// Changes per DATA frame of recent flushes, and states per frame of the bulk.
    var changesPerFrame = ItemsPerFrame(initial: 16)
    var bulkStatesPerFrame = ItemsPerFrame(initial: 16)
    var lastKeepaliveNanos: UInt64 = 0
    var lastBulkRequestNanos: UInt64 = 0
    var bulkStartedNanos: UInt64 = 0
    /// When the frame being processed arrived.
    var lastReceiveNanos: UInt64 = 0
    var bulkSendStartedSeconds: UInt32 = 0
    var bulkCursor: (shard: Int, cursor: Int) = (0, 0)
    /// Where the running bulk send stops in each shard (``StateTable/slotMarks()`` when it
    /// started): the states the table held when the peer asked; later ones reach the peer
    /// as live changes, or came from it.
    var bulkSlotMarks: [Int] = []
    var lagSamples = LagHistogram()
    var lastPurgeNanos: UInt64 = 0
    /// A gap was given up while a bulk was coming in: ask for another when it ends.
    var bulkRequestAfterEnd = false
    /// Set at such a bulk's end: the next tick sends the request.
    var bulkRequestDue = false
    /// The peer asked for a bulk while its own bulk to us was coming in: answer after it.
    var bulkAnswerDue = false
    /// The slot marks taken when the waiting bulk request came (see ``answerBulkRequest``).
    var bulkAnswerMarks: [Int] = []
    var expiredScratch: [StateID] = []
    /// The peer run whose states are marked in the table as the peer's
    /// (``StateTable/updateOrInsert(at:recordChange:fromPeer:mergingWith:)``): full states
    /// delivered from it are marked; when frames from another run are delivered, the marks
    /// are cleared first. Nil before the first delivery.
    var markedPeerRun: PeerRun?
    /// The peer run the running bulk is for: it leaves out the states marked as that run's
    /// (it holds them), as long as the marks are still that run's.
    var bulkSendPeerRun: PeerRun?
    /// The peer run whose bulk request waits for the end of our incoming bulk.
    var bulkAnswerPeerRun: PeerRun?
    /// The run whose frames the receive window is delivering (set before the window is
    /// entered: the window cannot be read while it delivers).
    var deliveringPeerRun: PeerRun?
    /// A send found the flow-control window closed since the last ACK that opened it.
    var windowWasClosed = false
    /// An ACK made room while something waited for it (a send found the window closed, a
    /// bulk runs, or frames are queued): ``sendOpenedByAcknowledgements(nowNanos:stateNow:send:)``
    /// sends it without waiting for the next tick.
    var acknowledgementsOpenedWindow = false

    /// What `pfsyncd status` shows.
    public internal(set) var status = EngineStatus()

    /// Creates an engine. `key` authenticates frames both ways.
    public init(config: EngineConfig, table: StateTable, key: SyncKey, stats: ReplicationStats = ReplicationStats()) {
        self.config = config
        self.table = table
        self.stats = stats
        sealer = SyncFrameSealer(
            key: key, senderID: config.nodeID, epoch: config.epoch, maxDatagramSize: config.maxDatagramSize)
        opener = SyncFrameOpener(key: key, acceptsZeroPadding: true)
        writer = PFSyncPacketWriter(version: .freeBSD, encoding: config.stateEncoding, maxLength: 65_000)
        resend = ResendBuffer(capacity: config.resendFrames, maxFrameSize: sealer.maxDatagramSize)
        window = ReceiveWindow(gapTimeout: config.gapTimeoutNanos)
        sentAt = [UInt64](repeating: 0, count: config.resendFrames)
        resentAt = [UInt64](repeating: 0, count: max(1, config.resendFrames))
        rawTarget = sealer.maxUncompressedPayload
        // Until the peer says its receive window, it is assumed to be like this node's.
        sendWindow = SendWindow(
            limit: SendWindow.limit(maximum: config.maxFramesInFlight, peerFrames: config.receiveWindowFrames),
            silenceNanos: config.peerTimeoutNanos)
        status.bulk.shardCount = table.shardCount
    }

    /// Nothing for the next tick to do before the next keepalive: no queued message, no
    /// bulk being sent or due, no gap to repair, nothing delivered but not acknowledged
    /// (except an ACK held back for a peer that takes delayed ACKs: it goes with the next
    /// read or tick, see ``ackDueNanos``). (It
    /// does not look at the table: the caller checks the table's pending changes after
    /// arming ``StateTable/changeSignal``.) The transport then ticks only as often as
    /// keepalives and expiry need, until a change, a datagram or a timer wakes it. (A bulk
    /// coming in is driven by its datagrams; bulk retries and timeouts are coarse.)
    public var isQuiet: Bool {
        !hasQueued && !status.bulk.sending && !bulkAnswerDue && !bulkRequestDue && !window.hasGap
            && (deliveredSinceAck == 0 || delaysAcks)
    }

    /// The counters as of now (the engine's own copy).
    public var currentCounters: ReplicationCounters { counters }

    /// Latency from sending a frame to the peer's ACK covering it, in microseconds.
    public var lagHistogram: LagHistogram { lagSamples }

    /// Starts replication: says HELLO, and asks for a bulk update if configured to.
    public func start(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        sendWindow.peerStarted(afterSequence: nextSequence - 1, nowNanos: nowNanos)
        if config.requestBulkOnStart {
            requestBulk(nowNanos: nowNanos, send: send)
        } else {
            sendHello(options: [], send: send)
        }
        publish()
    }

    /// Sends every pending change of the table (coalesced per state since the last flush),
    /// and whatever else is queued, whatever the flow control says (a node that stops sends
    /// what it has). `stateNow` is the table's clock (seconds) used to turn absolute expiry
    /// times into the wire's relative ones. Returns the frames sent.
    @discardableResult
    public func flush(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) -> Int {
        let queued = sendOutbound(nowNanos: nowNanos, maxFrames: .max, send: send)
        return queued + flush(limit: .max, maxFrames: .max, nowNanos: nowNanos, stateNow: stateNow, send: send)
    }

    /// Sends as many pending changes as the flow control lets out now: what an earlier
    /// flush framed but the window held back goes first; then changes are drained from the
    /// table (about as many as the frames still allowed carry), framed, and sent as far as
    /// the window allows. The others stay in the table, coalescing, for a later flush.
    /// Returns the frames sent.
    @discardableResult
    public func flushWithinWindow(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) -> Int {
        let queued = sendOutbound(nowNanos: nowNanos, send: send)
        // A new drain only when the last one is all sent (one frame never mixes two drains:
        // its messages go before its delta updates), and when no bulk state copied earlier
        // waits (changes drained now must not reach the peer before an older copy).
        guard !hasQueued, bulkScratchSent >= bulkScratch.count else { return queued }
        let room = sendRoom(nowNanos: nowNanos)
        guard room > 0 else { return queued }
        return queued
            + flush(
                limit: changesPerFrame.items(inFrames: room), maxFrames: nil, nowNanos: nowNanos, stateNow: stateNow,
                send: send)
    }

    /// Drains at most `limit` changes (deletes always all), queues them and sends what is
    /// queued in at most `maxFrames` frames (nil: as the window allows).
    private func flush(
        limit: Int, maxFrames: Int?, nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) -> Int {
        // Updates become delta updates (or UPD_CC) straight from the table's slot (no copy
        // of the full state); inserts and deletes go through message(for:). Deletions go first: shards are by
        // state id, so a flow's old state (deleted) and its new one (a reused port) may sit
        // in different shards, and the peer can insert the new one only once the old is gone.
        let deltasOn = sendsDeltas
        let epoch = baseEpoch
        // The delta arena is a local for the drain: no exclusivity check per update.
        var deltas = OutgoingDeltas()
        swap(&deltas, &outgoingDeltas)
        let drained = table.drainAllChanges(limit: limit, withBases: { kind, state, base, changes in
            switch kind {
            case .update:
                if deltasOn && base.pointee.isValid(in: epoch) {
                    deltas.append(
                        state: state, base: base,
                        expire: PFState.secondsRemaining(until: state.pointee.expire, now: stateNow))
                } else {
                    queueFullUpdate(of: state, base: base, stateNow: stateNow)
                }
            case .delete:
                outbound.append(.compressedDelete(state.pointee.identity))
            case .insert:
                laterScratch.append(
                    message(for: StateDelta(kind: kind, state: state.pointee, changes: changes), stateNow: stateNow))
                // The INS carries everything a base holds: the peer takes it as its base
                // too (``takeInsertBase(of:)``), so the first update can be a delta.
                if deltasOn { base.pointee = replicationBase(of: state, stateNow: stateNow) }
            }
        })
        swap(&deltas, &outgoingDeltas)
        outbound.append(contentsOf: laterScratch)
        laterScratch.removeAll(keepingCapacity: true)
        let frames = sendOutbound(nowNanos: nowNanos, maxFrames: maxFrames, send: send)
        // Changes per frame, from flushes that sent all they drained.
        if !hasQueued { changesPerFrame.record(items: drained, frames: frames) }
        return frames
    }

    /// Periodic work: keepalives, ACKs, NACKs, giving up old gaps, bulk pacing and retries.
    /// Call it every millisecond or so.
    public func tick(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        if config.purgeIntervalNanos > 0, nowNanos &- lastPurgeNanos >= config.purgeIntervalNanos {
            lastPurgeNanos = nowNanos
            // pf's purge: expired states leave the table, and their deletions are sent.
            table.expire(now: stateNow, limit: 65_536, into: &expiredScratch)
            expiredScratch.removeAll(keepingCapacity: true)
        }
        // Draining takes each shard lock once and sends nothing when nothing changed, so
        // it needs no "anything pending?" pass (which would lock every shard again).
        // With too many frames unacknowledged, changes stay in the table and coalesce.
        startDueBulkAnswer(stateNow: stateNow)
        flushWithinWindow(nowNanos: nowNanos, stateNow: stateNow, send: send)
        continueBulkSend(nowNanos: nowNanos, stateNow: stateNow, send: send)
        retryBulkRequest(nowNanos: nowNanos, send: send)
        repairGaps(nowNanos: nowNanos, stateNow: stateNow, send: send)
        // What was delivered since the last ACK is acknowledged every tick (the peer's
        // flow control waits for it), or once the held ACK is due.
        if deliveredSinceAck > 0, ackIsDue(nowNanos: nowNanos) { sendAck(nowNanos: nowNanos, send: send) }
        if nowNanos &- lastKeepaliveNanos >= config.keepaliveNanos {
            lastKeepaliveNanos = nowNanos
            sendKeepalive(send: send)
            if window.expected > ackedThrough + 1 { sendAck(nowNanos: nowNanos, send: send) }
        }
        if let last = status.lastFrameNanos {
            status.peerAlive = nowNanos &- last < config.peerTimeoutNanos
        }
        publish()
    }

    /// DATA frames the flow control lets out now (`Int.max`: no limit).
    func sendRoom(nowNanos: UInt64) -> Int {
        let room = sendWindow.room(lastSent: nextSequence - 1, nowNanos: nowNanos)
        if room == 0 { windowWasClosed = true }
        return room
    }

    /// ACK-clocked sending: when ACKs received since the last call made room while
    /// something waited for it (a send that found the window closed, a running bulk, queued
    /// frames), sends it now (queued frames and pending changes within the window, then the
    /// running bulk's next frames), as a tick would, instead of leaving the room unused
    /// until the next tick (a bulk sender's tick is limited by the room it finds; the
    /// ACKs that come in between used to wait for the tick after it). Pending changes of a
    /// link that is not held back still wait for the tick, where they coalesce. Call it
    /// after each burst of received datagrams. Returns the frames sent.
    @discardableResult
    public func sendOpenedByAcknowledgements(
        nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) -> Int {
        guard acknowledgementsOpenedWindow else { return 0 }
        acknowledgementsOpenedWindow = false
        let sentBefore = nextSequence
        flushWithinWindow(nowNanos: nowNanos, stateNow: stateNow, send: send)
        continueBulkSend(nowNanos: nowNanos, stateNow: stateNow, send: send)
        publish()
        return Int(nextSequence - sentBefore)
    }

    /// How far back frames may still be waiting in a peer's socket buffer when its HELLO
    /// arrives (a generous round trip).
    static let recentSendNanos: UInt64 = 50_000_000

    /// The last DATA sequence sent before `time` (0: none), looked up in the send times of
    /// the resend ring, at most a window's worth of frames back.
    func lastSequenceSent(before time: UInt64) -> UInt64 {
        var sequence = nextSequence - 1
        var steps: UInt64 = 0
        while sequence > 0, steps < max(1, config.maxFramesInFlight), steps < UInt64(sentAt.count),
            sentAt[Int(sequence % UInt64(sentAt.count))] >= time
        {
            sequence -= 1
            steps += 1
        }
        return sequence
    }

    /// Publishes the counters to ``stats``.
    public func publish() {
        counters[.queueDepth] = UInt64(outbound.count)
        counters[.heldFrames] = UInt64(window.heldCount)
        counters[.lost] = window.lost
        if let p50 = lagSamples.percentile(0.5) { counters[.lagMicroseconds] = p50 }
        status.sentSequence = nextSequence - 1
        status.expectedSequence = window.expected
        stats.publish(counters)
    }
}
