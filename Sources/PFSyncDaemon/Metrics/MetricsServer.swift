import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PFSyncCore
import PFSyncReplication
import Prometheus
import ServiceLifecycle

/// The optional Prometheus endpoint as a service: every 250 ms the published counters are
/// copied into swift-metrics instruments backed by a Prometheus registry, which
/// `GET /metrics` on `control.metrics_listen` serves as text.
public final class MetricsServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let stats: ReplicationStats
    private let table: StateTable
    private let registry: PrometheusCollectorRegistry
    private let feeder: MetricsFeeder
    private let logger: Logger

    /// Creates the service for `host`:`port`.
    public init(
        host: String, port: Int, group: any EventLoopGroup, stats: ReplicationStats, table: StateTable, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.stats = stats
        self.table = table
        self.logger = logger
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.feeder = MetricsFeeder(factory: PrometheusMetricsFactory(registry: registry))
    }

    public func run() async throws {
        let (registry, feeder, stats, table) = (self.registry, self.feeder, self.stats, self.table)
        feeder.update(stats.current, tableStates: table.count)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHTTPHandler { registry.emitToBuffer() })
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw SyncSetupError("cannot open the metrics endpoint \(host):\(port): \(error)")
        }
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
            feeder.update(stats.current, tableStates: table.count)
        }
        logger.info("metrics endpoint up", metadata: ["listen": "\(host):\(port)"])
        try? await gracefulShutdown()
        task.cancel()
        try? await channel.close()
    }
}
