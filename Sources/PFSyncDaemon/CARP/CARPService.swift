import Logging
import NIOCore
import NIOPosix
import PFSyncCARP
import PFSyncReplication
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// CARP as a service: a raw IPv4 socket on protocol 112 (multicast 224.0.0.18 joined on
/// each CARP interface, or a unicast peer), TTL 255, whose event loop runs the election.
///
/// Coupled with replication: while the bulk update is unfinished the node is demoted by
/// `carp.bulk_demotion`, lifted after `carp.bulk_demotion_limit_s` with a loud log line.
/// On graceful shutdown a master demotes itself, waits (bounded) until a peer is master,
/// then sends a leaving advertisement, drops its addresses and runs the down scripts.
public final class CARPService: Service, Sendable {
    private let loop: any EventLoop
    private let plan: CARPPlan
    private let monitor: CARPMonitor
    private let engineSnapshot: (@Sendable () -> EventLoopFuture<EngineSnapshot>)?
    private let logger: Logger

    /// Creates the service; nothing is opened until ``run()``. `engineSnapshot` (the sync
    /// transport's) lets the bulk-update state demote the node.
    public init(
        loop: any EventLoop, plan: CARPPlan, monitor: CARPMonitor,
        engineSnapshot: (@Sendable () -> EventLoopFuture<EngineSnapshot>)?, logger: Logger
    ) {
        self.loop = loop
        self.plan = plan
        self.monitor = monitor
        self.engineSnapshot = engineSnapshot
        self.logger = logger
    }

    public func run() async throws {
        let actuator = CARPActuator(upScript: plan.upScript, downScript: plan.downScript, logger: logger)
        let firstChannel: any Channel
        let firstSender: any Channel
        do {
            firstChannel = try await bind(receiving: true)
            firstSender = try await bind(receiving: false)
        } catch {
            await actuator.shutdown()
            throw CARPSetupError("cannot open the CARP socket (protocol 112, needs CAP_NET_RAW): \(error)")
        }
        let destination = try SocketAddress(ipAddress: plan.peer?.description ?? CARPProtocol.ipv4Group, port: 0)
        let (plan, monitor, logger) = (self.plan, self.monitor, self.logger)
        let bound = try await firstChannel.eventLoop.submit { () throws -> NIOLoopBound<CARPChannelHandler> in
            let handler = CARPChannelHandler(
                plan: plan, destination: destination, actuator: actuator, monitor: monitor, logger: logger)
            try firstChannel.pipeline.syncOperations.addHandler(handler)
            handler.sendChannel = firstSender
            handler.start()
            return NIOLoopBound(handler, eventLoop: firstChannel.eventLoop)
        }.get()
        let eventLoop = firstChannel.eventLoop
        var channel = firstChannel
        var sender = firstSender
        monitor.install(demoter: { reason, value in
            eventLoop.execute { bound.value.setDemotion(reason, to: value) }
        })
        logger.info(
            "CARP up",
            metadata: ["vhids": "\(plan.hosts.map(\.config.vhid))", "source": "\(plan.localAddress)",
                       "destination": "\(plan.peer?.description ?? CARPProtocol.ipv4Group)"])
        let bulkWatch = startBulkWatch(on: eventLoop, bound: bound)

        // Until shutdown. NIO closes a datagram channel on most send errors (a firewall's
        // EPERM included): the election keeps its state and gets a new socket.
        while !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(nanoseconds: 200_000_000)
            } catch {
                break
            }
            if !sender.isActive, !Task.isShuttingDownGracefully, let reopened = try? await bind(receiving: false) {
                // Counted in oerrors; logged once per second at most.
                sender = reopened
                try? await reopened.eventLoop.submit { bound.value.sendChannel = reopened }.get()
            }
            guard !channel.isActive, !Task.isShuttingDownGracefully else { continue }
            logger.error("CARP socket closed unexpectedly; reopening it")
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            guard let reopened = try? await bind(receiving: true) else { continue }
            channel = reopened
            try? await reopened.eventLoop.submit {
                try reopened.pipeline.syncOperations.addHandler(bound.value)
                bound.value.resume()
            }.get()
        }

        bulkWatch?.cancel()
        await handOver(bound: bound, on: eventLoop)
        monitor.install(demoter: nil)
        try await eventLoop.submit { bound.value.stop() }.get()
        try? await actuator.drained(on: eventLoop).get()
        await actuator.shutdown()
        try? await channel.close()
        try? await sender.close()
        logger.info("CARP down")
    }

    /// A master demotes itself fully and waits (at most 3 x advbase + 1 s) until no host is
    /// master any more, i.e. the peer took over.
    private func handOver(bound: NIOLoopBound<CARPChannelHandler>, on eventLoop: any EventLoop) async {
        guard monitor.current.hosts.contains(where: { $0.state == .master }) else { return }
        logger.notice("CARP: handing over before shutdown")
        try? await eventLoop.submit { bound.value.setDemotion(.shutdown, to: 255) }.get()
        let limit = UInt64(plan.hosts.map(\.config.advbase).max() ?? 1) * 3_000_000_000 + 1_000_000_000
        let start = CARPChannelHandler.now
        while CARPChannelHandler.now &- start < limit, monitor.current.hosts.contains(where: { $0.state == .master }) {
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        if monitor.current.hosts.contains(where: { $0.state == .master }) {
            logger.warning("CARP: no peer took over before shutdown; leaving anyway")
        }
    }

    /// Every 500 ms: demote while the engine's incoming bulk update is unfinished.
    private func startBulkWatch(on eventLoop: any EventLoop, bound: NIOLoopBound<CARPChannelHandler>) -> RepeatedTask? {
        guard let engineSnapshot, plan.bulkDemotion > 0 else { return nil }
        let (demotion, limit, logger) = (plan.bulkDemotion, plan.bulkDemotionLimitSeconds, self.logger)
        let started = CARPChannelHandler.now
        let expired = StopFlag()  // raised once the limit passed
        return eventLoop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: .milliseconds(500)) { _ in
            engineSnapshot().hop(to: eventLoop).map { snapshot in
                let phase = snapshot.status.bulk.incoming
                let unfinished = phase == .requested || phase == .receiving
                let elapsed = Double(CARPChannelHandler.now &- started) / 1e9
                if unfinished && !expired.isRaised && elapsed > limit {
                    expired.raise()
                    logger.critical(
                        "CARP: bulk update still unfinished after the limit; LIFTING the bulk demotion - this node may become master WITHOUT the full state table",
                        metadata: ["limit_s": "\(limit)", "phase": "\(phase.rawValue)"])
                }
                let wanted = unfinished && !expired.isRaised ? demotion : 0
                if bound.value.demotion(.bulk) != wanted { bound.value.setDemotion(.bulk, to: wanted) }
            }.recover { _ in }
        }
    }

    /// A raw socket on protocol 112: the receiving one joins the group on every CARP
    /// interface; the sending one gets TTL 255, no loop and the multicast interface.
    private func bind(receiving: Bool) async throws -> any Channel {
        let channel = try await NIORawSocketBootstrap(group: loop)
            .bind(host: "0.0.0.0", ipProtocol: NIOIPProtocol(rawValue: CARPProtocol.ipProtocol))
            .get()
        if plan.peer == nil && receiving {
            let group = try SocketAddress(ipAddress: CARPProtocol.ipv4Group, port: 0)
            let devices = try System.enumerateDevices()
            guard let multicast = channel as? any MulticastChannel else {
                throw CARPSetupError("the raw socket cannot join multicast groups")
            }
            for name in Set(plan.hosts.map(\.interface)).sorted() {
                guard let device = devices.first(where: { $0.name == name && $0.address?.protocol == .inet }) else {
                    throw CARPSetupError("config: carp: no interface \"\(name)\" with an IPv4 address")
                }
                try await multicast.joinGroup(group, device: device).get()
            }
            return channel
        }
        if !receiving {
            // The sender's copies of incoming packets stay unread (the receiver reads them).
            try await channel.setOption(.autoRead, value: false).get()
        }
        if plan.peer == nil {
            try await channel.setOption(.ipOption(.ip_multicast_ttl), value: Int(CARPProtocol.requiredTTL)).get()
            try await channel.setOption(.ipOption(.ip_multicast_loop), value: 0).get()
            if let first = plan.hosts.first, let address = plan.interfaceAddresses[first.interface],
               let provider = channel as? any SocketOptionProvider
            {
                try await provider.setIPMulticastIF(in_addr(s_addr: address.value.bigEndian)).get()
            }
        }
        // Unicast (and any other) advertisements leave with TTL 255 too.
        try await channel.setOption(.ipOption(NIOBSDSocket.Option(rawValue: IP_TTL)), value: Int(CARPProtocol.requiredTTL)).get()
        return channel
    }
}
