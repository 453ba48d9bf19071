import Logging
import NIOCore
import PFSyncReplication

/// Drives one ``ReplicationEngine`` from a datagram channel: datagrams in go to
/// `receive`, frames out become datagrams to the peer (through the `[testing]` fault hook
/// when enabled). Lives on the channel's event loop, like the engine it owns.
public final class SyncChannelHandler: ChannelInboundHandler, KeptSocketHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>
    public typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// The engine (confined to this handler's event loop).
    public let engine: ReplicationEngine
    private let endpoints: SyncEndpoints
    private let wallSeconds: () -> UInt32
    private var faults: FaultInjector
    private var held: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var pendingFlush = false
    private var followUp: TickFollowUp
    private let logger: Logger
    /// The burst's frames gathered for one UDP GSO write (nil: each frame is its own write).
    private var batch: DatagramBatch?
    /// The largest frame the engine seals: what a GSO batch pads its frames to (0: no GSO,
    /// from the start or since a GSO write failed or the socket was replaced).
    private var segmentSize: Int
    /// What runs ``tick()``; brought forward when a change, a datagram or a deferred insert
    /// needs a tick sooner than the idle interval.
    weak var timer: TickTimer?
    /// Socket-level counters.
    public private(set) var transport = TransportCounters()
    /// The last error the socket reported (what made SwiftNIO close it, after a close).
    private(set) var lastSocketError: String?

    /// Creates a handler for `engine`, sending to `endpoints.destination`.
    public init(
        engine: ReplicationEngine, endpoints: SyncEndpoints, faults: FaultInjector,
        logger: Logger = Logger(label: "pfsyncd"), busyInterval: TimeAmount = .milliseconds(2),
        idleInterval: TimeAmount = .milliseconds(50), segmentationOffload: Bool = false,
        wallSeconds: @escaping () -> UInt32 = DaemonClock.wallSeconds
    ) {
        self.segmentSize = segmentationOffload ? engine.maxFrameSize : 0
        self.logger = logger
        self.engine = engine
        self.followUp = TickFollowUp(logger: logger, busy: busyInterval, idle: idleInterval)
        self.endpoints = endpoints
        self.faults = faults
        self.wallSeconds = wallSeconds
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if segmentSize > 0 { batch = DatagramBatch(segmentSize: segmentSize, allocator: context.channel.allocator) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard endpoints.accepts(envelope.remoteAddress) else {
            transport.badSource &+= 1
            return
        }
        let now = DaemonClock.monotonicNanos()
        let stateNow = wallSeconds()
        let segmentSize = envelope.metadata?.segmentSize ?? 0
        envelope.data.withUnsafeReadableBytes { bytes in
            // A GRO read holds datagrams of `segmentSize` bytes each (the last may be
            // shorter): each is received as if read alone. Any other read is one datagram
            // (an empty one too).
            let datagramSize = segmentSize > 0 && bytes.count > segmentSize ? segmentSize : bytes.count
            if datagramSize < bytes.count { transport.coalescedReads &+= 1 }
            var start = 0
            repeat {
                let end = min(start + datagramSize, bytes.count)
                engine.receive(
                    UnsafeRawBufferPointer(rebasing: bytes[start..<end]), overIPv6: endpoints.isIPv6, nowNanos: now,
                    stateNow: stateNow
                ) { emit($0) }
                start = end
            } while start < bytes.count
        }
        // What the datagrams made the engine write (an ACK every so many frames) leaves
        // now, not after the whole read burst: with GRO a burst can hold more frames than
        // the peer's window, which would wait for this ACK. (Frames gathered for a GSO
        // write still wait for the end of the burst.)
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        let now = DaemonClock.monotonicNanos()
        engine.acknowledgeDelivered(nowNanos: now) { emit($0) }
        // ACK-clocked: what the peer's ACKs let out goes now, not at the next tick.
        engine.sendOpenedByAcknowledgements(nowNanos: now, stateNow: wallSeconds()) { emit($0) }
        flushIfNeeded()
        // What came in may want a NACK or an answer by the next tick. (An ACK held back is
        // not: it goes out with the next burst read or tick after its delay. A timer of its
        // own would cost the wake-up it saves the peer.)
        if !engine.isQuiet { timer?.runWithin(followUp.pace.busy) }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Counted. Most UDP errors (ICMP unreachable while the peer is down, ...) leave the
        // socket open; when SwiftNIO closes it, ``SyncSocketKeeper`` opens another.
        transport.socketErrors &+= 1
        lastSocketError = "\(error)"
    }

    /// The handler is about to serve a new socket after the previous one closed: counted,
    /// and from now on each frame is its own write (no GSO: a GSO write the path refuses is
    /// one of the errors that close the socket).
    func socketReopened() {
        transport.socketReopens &+= 1
        segmentSize = 0
        batch = nil
    }

    /// Says HELLO (and asks for a bulk update).
    public func start() {
        engine.start(nowNanos: DaemonClock.monotonicNanos()) { emit($0) }
        flushIfNeeded()
    }

    /// A writer recorded a change while the link was idle: tick now. The first change after
    /// a quiet spell goes out at once (no crash can lose it to the wait), and the ticks that
    /// follow at the flush interval batch whatever comes after it.
    public func wake() {
        timer?.runWithin(.zero)
    }

    /// The periodic work: pending table changes, keepalives, NACKs, bulk pacing. Returns
    /// when to tick next: the busy interval, or the idle interval when the engine is quiet
    /// and the table holds no pending change (with its change signal armed, so that the
    /// next change brings the tick forward).
    @discardableResult
    public func tick() -> TimeAmount {
        let now = DaemonClock.monotonicNanos()
        let messagesBefore = engine.currentCounters[.messagesSent]
        engine.tick(nowNanos: now, stateNow: wallSeconds()) { emit($0) }
        releaseHeld()
        flushIfNeeded()
        let counters = mergedCounters()
        engine.stats.publish(counters)
        return followUp.after(
            status: engine.status, counters: counters, messagesBefore: messagesBefore, badSource: transport.badSource,
            quiet: engine.isQuiet && held == nil, table: engine.table, nowNanos: now)
    }

    /// Ticks while something is going on.
    var busyInterval: TimeAmount { followUp.pace.busy }
    /// Ticks while nothing is.
    var idleInterval: TimeAmount { followUp.pace.idle }

    /// The engine's counters with what only the socket knows: datagrams sent (`opackets` /
    /// `opackets6`) and socket errors (`oerrors`).
    public func mergedCounters() -> ReplicationCounters {
        var counters = engine.currentCounters
        // The engine counts its DATA frames under `opackets`; the socket knows every
        // datagram, and which family it went over.
        counters[.opackets] = endpoints.isIPv6 ? 0 : transport.datagramsSent
        counters[.opackets6] = endpoints.isIPv6 ? transport.datagramsSent : 0
        counters[.oerrors] &+= transport.socketErrors
        return counters
    }

    /// Sends every pending change now (graceful shutdown).
    public func flushPending() {
        engine.flush(nowNanos: DaemonClock.monotonicNanos(), stateNow: wallSeconds()) { emit($0) }
        releaseHeld()
        flushIfNeeded()
    }

    /// Sends pending changes now, as many as the flow control lets out (a deferred packet's
    /// INS, without waiting for the tick).
    public func flushWithinWindow() {
        engine.flushWithinWindow(nowNanos: DaemonClock.monotonicNanos(), stateNow: wallSeconds()) { emit($0) }
        releaseHeld()
        flushIfNeeded()
    }

    /// A copy of the engine's counters and status.
    public func snapshot() -> EngineSnapshot {
        EngineSnapshot(
            counters: mergedCounters(), status: engine.status, lag: engine.lagHistogram,
            transport: transport, takenNanos: DaemonClock.monotonicNanos())
    }

    /// One frame from the engine: copied into a buffer (the engine's bytes are valid only
    /// during the call) and written, subject to the fault hook.
    private func emit(_ bytes: UnsafeRawBufferPointer) {
        guard let context else { return }
        guard faults.isActive else {
            if batch != nil, engine.peerTakesPaddedFrames {
                gather(bytes, context: context)
                return
            }
            write(context.channel.allocator.buffer(bytes: bytes), context: context)
            return
        }
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        switch faults.next() {
        case .send:
            write(buffer, context: context)
            releaseHeld()
        case .drop:
            transport.faultDropped &+= 1
        case .duplicate:
            transport.faultDuplicated &+= 1
            write(buffer, context: context)
            write(buffer, context: context)
            releaseHeld()
        case .reorder:
            if held == nil {
                transport.faultReordered &+= 1
                held = buffer
            } else {
                write(buffer, context: context)
                releaseHeld()
            }
        }
    }

    /// Adds a frame to the GSO batch; a small one (which padding would mostly waste) sends
    /// the batch and goes alone, after it.
    private func gather(_ bytes: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        guard let joins = batch.map({ $0.takes(length: bytes.count) }) else { return }
        if !joins || batch?.isFull == true { sendBatch(context: context) }
        if joins {
            batch?.append(bytes)
        } else {
            write(context.channel.allocator.buffer(bytes: bytes), context: context)
        }
    }

    /// Writes the gathered frames: one GSO write for several, a plain datagram for one.
    private func sendBatch(context: ChannelHandlerContext) {
        guard let count = batch?.count, count > 0, let taken = batch?.take() else { return }
        guard count > 1 else {
            write(taken.buffer, context: context)
            return
        }
        let metadata = AddressedEnvelope<ByteBuffer>.Metadata(
            ecnState: .transportNotCapable, packetInfo: nil, segmentSize: segmentSize)
        let envelope = AddressedEnvelope(remoteAddress: endpoints.destination, data: taken.buffer, metadata: metadata)
        let written = context.eventLoop.makePromise(of: Void.self)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenFailure { error in handler.value.segmentationFailed(error) }
        context.write(wrapOutboundOut(envelope), promise: written)
        transport.datagramsSent &+= UInt64(count)
        transport.segmentedWrites &+= 1
        transport.paddingBytes &+= UInt64(taken.padding)
        pendingFlush = true
    }

    /// The socket refused a GSO write and said so on the write alone: its frames are lost
    /// to the peer, which asks for them again, and from now on every frame is its own
    /// write. (SwiftNIO reports EMSGSIZE this way; most other send errors, EIO and EINVAL
    /// from a path without checksum offload or with a smaller MTU among them, close the
    /// socket instead, which is why `sync.gso` is off by default.)
    private func segmentationFailed(_ error: any Error) {
        transport.segmentationFailures &+= 1
        guard batch != nil else { return }
        batch = nil
        segmentSize = 0
        logger.warning(
            "UDP GSO write refused; sending one datagram per frame from now on", metadata: ["error": "\(error)"])
    }

    private func releaseHeld() {
        guard let buffer = held, let context else { return }
        held = nil
        write(buffer, context: context)
    }

    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: endpoints.destination, data: buffer)), promise: nil)
        transport.datagramsSent &+= 1
        pendingFlush = true
    }

    private func flushIfNeeded() {
        if let context { sendBatch(context: context) }
        guard pendingFlush, let context else { return }
        pendingFlush = false
        context.flush()
    }
}
