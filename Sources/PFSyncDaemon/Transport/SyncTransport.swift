import Logging
import NIOCore
import NIOPosix
import PFSyncConfig
import PFSyncCore
import PFSyncReplication
import PFSyncWire
import ServiceLifecycle

/// The sync link as a service: a UDP socket (IPv4 or IPv6, unicast or multicast) whose
/// event loop owns the ``ReplicationEngine``. Every `flush_interval_ms` the engine's tick
/// runs on that loop; on graceful shutdown pending changes are flushed before the socket
/// closes.
public final class SyncTransport: Service, Sendable {
    private let loop: any EventLoop
    private let engineConfig: EngineConfig
    private let table: StateTable
    private let key: SyncKey
    private let endpoints: SyncEndpoints
    private let sync: SyncConfig
    private let testing: TestingConfig
    private let stats: ReplicationStats
    private let logger: Logger
    private let ready: EventLoopPromise<NIOLoopBound<SyncChannelHandler>>

    /// Creates the transport; nothing is bound until ``run()``.
    public init(
        loop: any EventLoop, engineConfig: EngineConfig, table: StateTable, key: SyncKey, endpoints: SyncEndpoints,
        sync: SyncConfig, testing: TestingConfig, stats: ReplicationStats, logger: Logger
    ) {
        self.loop = loop
        self.engineConfig = engineConfig
        self.table = table
        self.key = key
        self.endpoints = endpoints
        self.sync = sync
        self.testing = testing
        self.stats = stats
        self.logger = logger
        self.ready = loop.makePromise()
    }

    /// Receive and send buffer size asked of the kernel for the sync socket.
    public static let socketBufferBytes = 4 << 20
    /// Datagrams per vector read with GRO on: 16 coalesced bursts of up to 64 KiB (1 MiB of
    /// buffer, reused from read to read), up to about 700 full-size frames per system call.
    static let coalescedReadsPerVector = 16

    /// The tick period: `flush_interval_ms`, at least 0.5 ms.
    public static func tickInterval(milliseconds: Double) -> TimeAmount {
        .nanoseconds(Int64(max(milliseconds, 0.5) * 1_000_000))
    }

    /// How often an idle link ticks: 50 ms, or half the keepalive interval when that is
    /// shorter (keepalives, expiry and the peer's liveness run at this granularity).
    public static func idleTickInterval(keepaliveMilliseconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(50, max(keepaliveMilliseconds / 2, 0.5)) * 1_000_000))
    }

    /// A copy of the engine's view, taken on its event loop (waits until the socket is up).
    public func snapshot() -> EventLoopFuture<EngineSnapshot> {
        ready.futureResult.map { bound in bound.value.snapshot() }
    }

    /// Asks the engine to send pending changes now instead of at the next tick (pfsync's
    /// deferral pushes a new state's INS at once). Callable from any thread.
    public func flushNow() {
        ready.futureResult.whenSuccess { bound in bound.value.flushWithinWindow() }
    }

    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            ready.fail(error)
            throw SyncSetupError("cannot open the sync socket on \(SyncEndpoints.text(endpoints.bind)): \(error)")
        }
        logger.info("sync socket up", metadata: ["local": "\(SyncEndpoints.text(endpoints.bind))", "peer": "\(SyncEndpoints.text(endpoints.destination))"])
        let interval = Self.tickInterval(milliseconds: sync.flushIntervalMilliseconds)
        let idle = Self.idleTickInterval(keepaliveMilliseconds: sync.keepaliveMilliseconds)
        var engineConfig = self.engineConfig
        if let receiveBuffer = try? await channel.getOption(.socketOption(.so_rcvbuf)).get() {
            // Said in HELLO: the peer fits its window to it (and this node assumes the
            // same of the peer until the peer says its own).
            engineConfig.receiveWindowFrames = ReceiveBufferWindow.frames(
                receiveBufferBytes: Int(receiveBuffer), maxDatagramSize: engineConfig.maxDatagramSize)
            logger.info(
                "flow control",
                metadata: [
                    "receive_buffer_bytes": "\(receiveBuffer)", "receive_window_frames": "\(engineConfig.receiveWindowFrames)",
                    "max_frames_in_flight": "\(engineConfig.maxFramesInFlight)",
                ])
        }
        let segmentationOffload = sync.segmentationOffload && System.supportsUDPSegmentationOffload
        let (config, table, key, stats, endpoints, testing, ready, logger) = (
            engineConfig, self.table, self.key, self.stats, self.endpoints, self.testing, self.ready, self.logger
        )
        let task = try await channel.eventLoop.submit { () throws -> NIOLoopBound<TickTimer> in
            let engine = ReplicationEngine(config: config, table: table, key: key, stats: stats)
            let handler = SyncChannelHandler(
                engine: engine, endpoints: endpoints, faults: FaultInjector(settings: testing), logger: logger,
                busyInterval: interval, idleInterval: idle, segmentationOffload: segmentationOffload)
            try channel.pipeline.syncOperations.addHandler(handler)
            let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
            handler.start()
            ready.succeed(bound)
            return TickTimer.drive(bound, table: table, after: interval, on: channel.eventLoop)
        }.get()

        // Run until graceful shutdown (or cancellation), with a new socket whenever SwiftNIO
        // closes one; then flush what is pending and close.
        let open = { @Sendable [self] () async throws -> any Channel in try await self.bind() }
        try await SyncSocketKeeper(name: "sync socket", logger: logger).serve(
            channel, handler: try await ready.futureResult.get(), ticks: task, table: table, open: open)
        logger.info("sync socket closed")
    }

    private func bind() async throws -> any Channel {
        let receiveOffload = sync.receiveOffload && System.supportsUDPReceiveOffload
        // Each datagram of a vector read gets an equal part of the buffer: a jumbo frame
        // without GRO; with GRO, a whole coalesced burst (up to the largest UDP payload).
        let reads = receiveOffload ? Self.coalescedReadsPerVector : 64
        let readBytes = receiveOffload ? 65_536 : 9216
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // A flush sends its frames in one burst: the default 208 KB socket buffers drop
            // a burst of ~90 full frames on loopback. 4 MB each (capped by rmem_max/wmem_max).
            .channelOption(.socketOption(.so_rcvbuf), value: Self.socketBufferBytes)
            .channelOption(.socketOption(.so_sndbuf), value: Self.socketBufferBytes)
            .channelOption(.datagramVectorReadMessageCount, value: reads)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readBytes * reads))
        let channel = try await bootstrap.bind(to: endpoints.bind).get()
        if receiveOffload {
            do {
                try await channel.setOption(.datagramReceiveOffload, value: true).get()
                do {
                    try await channel.setOption(.datagramReceiveSegmentSize, value: true).get()
                } catch {
                    // A coalesced read without its segment size could not be split: no GRO.
                    try? await channel.setOption(.datagramReceiveOffload, value: false).get()
                    throw error
                }
            } catch {
                // Reads stay one datagram each; the buffers are large enough either way.
                logger.warning("sync socket: no UDP GRO reads", metadata: ["error": "\(error)"])
            }
        }
        if let group = endpoints.group {
            try await joinGroup(group, channel: channel)
        }
        return channel
    }

    private func joinGroup(_ group: SocketAddress, channel: any Channel) async throws {
        guard let multicast = channel as? any MulticastChannel else {
            throw SyncSetupError("the sync socket cannot join multicast groups")
        }
        var device: NIONetworkDevice?
        if let name = sync.interface {
            device = try System.enumerateDevices().first { $0.name == name && $0.address?.protocol == group.protocol }
            guard device != nil else {
                throw SyncSetupError("config: sync.interface: no interface \"\(name)\" with an address of the group's family")
            }
        }
        if endpoints.isIPv6 {
            try await channel.setOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_loop), value: 0).get()
            try await channel.setOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_hops), value: 1).get()
            if let device {
                try await channel.setOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_if), value: device.interfaceIndex).get()
            }
        } else {
            try await channel.setOption(.ipOption(.ip_multicast_loop), value: 0).get()
            try await channel.setOption(.ipOption(.ip_multicast_ttl), value: 1).get()
            // The group's datagrams leave by the sync interface: without this the kernel
            // looks for a route to the group, and a dedicated link has none (the send fails
            // with ENETUNREACH, which closes the socket).
            if let device, case .v4(let address)? = device.address {
                try await channel.setOption(
                    .ipOption(.ip_multicast_if), value: MulticastInterface.ipv4OptionValue(address.address)
                ).get()
            }
        }
        try await multicast.joinGroup(group, device: device).get()
    }
}
