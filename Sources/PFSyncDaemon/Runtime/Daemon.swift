import Logging
import NIOCore
import NIOPosix
import PFSyncConfig
import PFSyncReplication
import ServiceLifecycle

/// `pfsyncd run`: the sync transport, the packet sources, the control socket and the
/// optional metrics endpoint as services of one group. SIGTERM and SIGINT shut the group
/// down gracefully in reverse order: metrics, control and capture stop first, then the
/// transport flushes pending changes and closes.
public enum Daemon {
    /// Runs until SIGTERM / SIGINT (or a service fails, which is thrown).
    public static func run(plan: DaemonPlan, logger: Logger) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            try await runServices(plan: plan, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private static func runServices(plan: DaemonPlan, group: MultiThreadedEventLoopGroup, logger: Logger) async throws {
        let table = plan.makeTable()
        let stats = ReplicationStats()
        let transport = try syncLink(plan: plan, loop: group.next(), table: table, stats: stats, logger: logger)
        let audit = TakeoverAudit()
        let capture = CaptureService(
            sources: plan.sources, table: table, trackerConfig: plan.tracker, logger: logger,
            deferral: FeedDeferral.of(plan: plan, link: transport), audit: audit)
        let carpMonitor: CARPMonitor? = plan.config.carp == nil ? nil : CARPMonitor()
        let responder = ControlResponder(
            nodeID: plan.config.nodeID, epoch: plan.engine.epoch, peerAddress: SyncEndpoints.text(plan.endpoints.destination),
            table: table, role: NodeRole(carp: carpMonitor, audit: audit), captures: capture.monitor, snapshot: { transport.snapshot() })
        let control = ControlServer(path: plan.config.controlSocket, group: group, responder: responder, logger: logger)
        var services: [any Service] = [transport, capture, control]
        if let listen = plan.config.metricsListen, let (host, port) = DaemonConfig.hostAndPort(listen) {
            services.append(
                MetricsServer(host: host, port: Int(port), group: group, stats: stats, table: table, logger: logger))
        }
        if let carp = plan.config.carp, let carpMonitor {
            // Last in the list, so it stops first: it hands the addresses over while sync still runs.
            let carpPlan = try CARPPlan(config: carp, devices: System.enumerateDevices())
            services.append(
                CARPService(
                    loop: group.next(), plan: carpPlan, monitor: carpMonitor, engineSnapshot: { transport.snapshot() },
                    logger: logger))
        }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "pfsyncd running",
            metadata: ["node_id": "\(plan.config.nodeID)", "epoch": "\(plan.engine.epoch)", "sources": "\(plan.sources.count)"])
        try await serviceGroup.run()
    }
}
