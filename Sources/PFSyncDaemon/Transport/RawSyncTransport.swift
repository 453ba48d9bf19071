#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import PFSyncConfig
import PFSyncCore
import PFSyncReplication
import ServiceLifecycle
import Synchronization

/// Plain pfsync mode's sync link as a service: a raw IPv4 socket for IP protocol 240
/// (SwiftNIO's `NIORawSocketBootstrap`) whose event loop owns the ``PlainPFSyncEngine``.
/// Sends as pfsync does: TTL 255, DF, TOS low-delay, multicast loopback off, multicast out
/// of the sync interface. Every `flush_interval_ms` the engine's tick runs; on graceful
/// shutdown pending changes are flushed before the socket closes.
public final class RawSyncTransport: SyncLinkService {
    private let loop: any EventLoop
    private let engineConfig: EngineConfig
    private let table: StateTable
    private let endpoints: SyncEndpoints
    private let sync: SyncConfig
    private let stats: ReplicationStats
    private let logger: Logger
    private let ready: EventLoopPromise<NIOLoopBound<RawSyncChannelHandler>>

    /// Creates the transport; nothing is opened until ``run()``.
    public init(
        loop: any EventLoop, engineConfig: EngineConfig, table: StateTable, endpoints: SyncEndpoints,
        sync: SyncConfig, stats: ReplicationStats, logger: Logger
    ) {
        self.loop = loop
        self.engineConfig = engineConfig
        self.table = table
        self.endpoints = endpoints
        self.sync = sync
        self.stats = stats
        self.logger = logger
        self.ready = loop.makePromise()
    }

    /// A copy of the engine's view, taken on its event loop (waits until the socket is up).
    public func snapshot() -> EventLoopFuture<EngineSnapshot> {
        ready.futureResult.map { bound in bound.value.snapshot() }
    }

    public func run() async throws {
        let channel: any Channel
        let interfaceIndex: Int
        do {
            (channel, interfaceIndex) = try await open()
        } catch {
            ready.fail(error)
            throw error
        }
        logger.info(
            "plain pfsync socket up",
            metadata: ["interface": "\(sync.interface ?? "?")", "peer": "\(endpoints.destination.ipAddress ?? "?")"])
        let interval = SyncTransport.tickInterval(milliseconds: sync.flushIntervalMilliseconds)
        let idle = SyncTransport.idleTickInterval(keepaliveMilliseconds: sync.keepaliveMilliseconds)
        let (engineConfig, table, stats, destination, ready, logger, interfaceName) = (
            self.engineConfig, self.table, self.stats, self.endpoints.destination, self.ready, self.logger, sync.interface
        )
        let task = try await channel.eventLoop.submit { () throws -> NIOLoopBound<TickTimer> in
            let engine = PlainPFSyncEngine(config: engineConfig, table: table, stats: stats)
            let handler = RawSyncChannelHandler(
                engine: engine, destination: destination, syncInterfaceIndex: interfaceIndex,
                syncInterfaceName: interfaceName, logger: logger,
                busyInterval: interval, idleInterval: idle)
            try channel.pipeline.syncOperations.addHandler(handler)
            let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
            handler.start()
            ready.succeed(bound)
            return TickTimer.drive(bound, table: table, after: interval, on: channel.eventLoop)
        }.get()

        // Run until graceful shutdown (or cancellation), with a new socket whenever SwiftNIO
        // closes one; then flush what is pending and close.
        let open = { @Sendable [self] () async throws -> any Channel in try await self.open().0 }
        try await SyncSocketKeeper(name: "plain pfsync socket", logger: logger).serve(
            channel, handler: try await ready.futureResult.get(), ticks: task, table: table, open: open)
        logger.info("plain pfsync socket closed")
    }

    /// Opens and configures the socket; returns it and the sync interface's index.
    private func open() async throws -> (any Channel, Int) {
        guard let name = sync.interface else {
            throw SyncSetupError("config: sync.interface: is required in pfsync mode (the sync device)")
        }
        let index = Int(if_nametoindex(name))
        guard index > 0 else {
            throw SyncSetupError("config: sync.interface: no interface \"\(name)\"")
        }
        let channel: any Channel
        do {
            channel = try await NIORawSocketBootstrap(group: loop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .bind(host: endpoints.bind.ipAddress ?? "0.0.0.0", ipProtocol: .init(rawValue: 240))
                .get()
        } catch let error as IOError where error.errnoCode == EPERM || error.errnoCode == EACCES {
            throw SyncSetupError(RawSocketPreflight.problem(errno: error.errnoCode))
        } catch {
            throw SyncSetupError("sync.mode = \"pfsync\": cannot open the raw IP protocol 240 socket: \(error)")
        }
        do {
            try await configure(channel, interface: name)
        } catch {
            try? await channel.close()
            throw error
        }
        return (channel, index)
    }

    private func configure(_ channel: any Channel, interface name: String) async throws {
        // Which interface each datagram came in on (pfsync's badif check).
        try await channel.setOption(.receivePacketInfo, value: true).get()
        // pfsync sends with TTL 255, DF and TOS low-delay. (`.socketOption` would set these at
        // the SOL_SOCKET level, where they silently do nothing.)
        try await channel.setOption(.ipOption(.init(rawValue: IP_TTL)), value: 255).get()
        try await channel.setOption(.ipOption(.init(rawValue: IP_TOS)), value: 0x10).get()
        #if canImport(Glibc)
        try await channel.setOption(.ipOption(.init(rawValue: IP_MTU_DISCOVER)), value: Int(IP_PMTUDISC_DO)).get()
        // Bursts (bulk updates, capture replays) must not overflow the receive buffer: there
        // is no retransmission. SO_RCVBUFFORCE passes rmem_max with CAP_NET_ADMIN.
        let large = 4 << 20
        if (try? await channel.setOption(.socketOption(.init(rawValue: SO_RCVBUFFORCE)), value: large).get()) == nil {
            try? await channel.setOption(.socketOption(.so_rcvbuf), value: large).get()
        }
        #endif
        guard let group = endpoints.group else { return }
        guard let multicast = channel as? any MulticastChannel else {
            throw SyncSetupError("the raw pfsync socket cannot join multicast groups")
        }
        let device = try System.enumerateDevices().first { $0.name == name && $0.address?.protocol == .inet }
        guard let device, case .v4(let address)? = device.address else {
            throw SyncSetupError("config: sync.interface: no interface \"\(name)\" with an IPv4 address (pfsync multicast)")
        }
        try await channel.setOption(.ipOption(.ip_multicast_loop), value: 0).get()
        try await channel.setOption(.ipOption(.ip_multicast_ttl), value: 255).get()
        try await channel.setOption(.ipOption(.ip_multicast_if), value: MulticastInterface.ipv4OptionValue(address.address)).get()
        try await multicast.joinGroup(group, device: device).get()
    }
}
