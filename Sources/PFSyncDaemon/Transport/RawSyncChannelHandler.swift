#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import PFSyncReplication

/// Drives one ``PlainPFSyncEngine`` from a raw IP protocol-240 channel: every datagram
/// (IPv4 header included) goes to the engine together with whether it arrived on the sync
/// interface (from the datagram's packet info, IP_PKTINFO); packets out become datagrams to
/// the peer or the multicast group. Lives on the channel's event loop, like the engine.
public final class RawSyncChannelHandler: ChannelInboundHandler, KeptSocketHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>
    public typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// The engine (confined to this handler's event loop).
    public let engine: PlainPFSyncEngine
    private let destination: SocketAddress
    private var syncInterfaceIndex: Int
    /// The sync interface's name, to find its index again for a new socket.
    private let syncInterfaceName: String?
    private let wallSeconds: () -> UInt32
    private var context: ChannelHandlerContext?
    private var pendingFlush = false
    private var followUp: TickFollowUp
    /// What runs ``tick()`` (brought forward by a change or a datagram while idle).
    weak var timer: TickTimer?
    /// Socket-level counters.
    public private(set) var transport = TransportCounters()
    /// The last error the socket reported (what made SwiftNIO close it, after a close).
    private(set) var lastSocketError: String?

    /// Creates a handler sending to `destination`; datagrams are accepted from the
    /// interface with index `syncInterfaceIndex` only (others are pfsync's `badif`).
    public init(
        engine: PlainPFSyncEngine, destination: SocketAddress, syncInterfaceIndex: Int, syncInterfaceName: String? = nil,
        logger: Logger = Logger(label: "pfsyncd"), busyInterval: TimeAmount = .milliseconds(2),
        idleInterval: TimeAmount = .milliseconds(50),
        wallSeconds: @escaping () -> UInt32 = DaemonClock.wallSeconds
    ) {
        self.engine = engine
        self.followUp = TickFollowUp(logger: logger, busy: busyInterval, idle: idleInterval)
        self.destination = destination
        self.syncInterfaceIndex = syncInterfaceIndex
        self.syncInterfaceName = syncInterfaceName
        self.wallSeconds = wallSeconds
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Without packet info the interface is unknown: refuse rather than trust (badif).
        let onSyncInterface = envelope.metadata?.packetInfo?.interfaceIndex == syncInterfaceIndex
        let now = DaemonClock.monotonicNanos()
        let stateNow = wallSeconds()
        envelope.data.withUnsafeReadableBytes { bytes in
            engine.receive(ipDatagram: bytes, onSyncInterface: onSyncInterface, nowNanos: now, stateNow: stateNow) {
                emit($0)
            }
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
        if !engine.isQuiet { timer?.runWithin(followUp.pace.busy) }
    }

    /// A writer recorded a change while the link was idle: tick now. The first change after
    /// a quiet spell goes out at once (no crash can lose it to the wait), and the ticks that
    /// follow at the flush interval batch whatever comes after it.
    public func wake() {
        timer?.runWithin(.zero)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Counted. SwiftNIO closes the socket after most send errors (no route while the
        // link is down, ...); ``SyncSocketKeeper`` then opens another.
        transport.socketErrors &+= 1
        lastSocketError = "\(error)"
    }

    /// The handler is about to serve a new socket after the previous one closed. The sync
    /// interface's index is looked up again: an interface deleted and created again (the
    /// usual reason for a socket's sends to fail for good) has a new one.
    func socketReopened() {
        transport.socketReopens &+= 1
        if let syncInterfaceName {
            let index = Int(if_nametoindex(syncInterfaceName))
            if index > 0 { syncInterfaceIndex = index }
        }
    }

    /// Asks the peer for a bulk update.
    public func start() {
        engine.start(nowNanos: DaemonClock.monotonicNanos()) { emit($0) }
        flushIfNeeded()
    }

    /// The periodic work: pending table changes, bulk pacing and retries.
    @discardableResult
    public func tick() -> TimeAmount {
        let now = DaemonClock.monotonicNanos()
        let messagesBefore = engine.currentCounters[.messagesSent]
        engine.tick(nowNanos: now, stateNow: wallSeconds()) { emit($0) }
        flushIfNeeded()
        let counters = mergedCounters()
        engine.stats.publish(counters)
        return followUp.after(
            status: engine.status, counters: counters, messagesBefore: messagesBefore, badSource: 0,
            quiet: engine.isQuiet, table: engine.table, nowNanos: now)
    }

    /// The engine's counters with the socket errors added to `oerrors`.
    public func mergedCounters() -> ReplicationCounters {
        var counters = engine.currentCounters
        counters[.oerrors] &+= transport.socketErrors
        return counters
    }

    /// Sends every pending change now (graceful shutdown).
    public func flushPending() {
        engine.flush(nowNanos: DaemonClock.monotonicNanos(), stateNow: wallSeconds()) { emit($0) }
        flushIfNeeded()
    }

    /// A copy of the engine's counters and status.
    public func snapshot() -> EngineSnapshot {
        EngineSnapshot(
            counters: mergedCounters(), status: engine.status, lag: LagHistogram(), transport: transport,
            takenNanos: DaemonClock.monotonicNanos(), mode: "pfsync")
    }

    /// One packet from the engine, copied (the engine's bytes are valid only during the
    /// call) and written; the kernel adds the IPv4 header.
    private func emit(_ bytes: UnsafeRawBufferPointer) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: destination, data: buffer)), promise: nil)
        transport.datagramsSent &+= 1
        pendingFlush = true
    }

    private func flushIfNeeded() {
        guard pendingFlush, let context else { return }
        pendingFlush = false
        context.flush()
    }
}
