import Logging
import NIOCore
import PFSyncCore
import PFSyncReplication
import ServiceLifecycle

/// The sync link as `pfsyncd run` uses it, whatever the mode: a service whose engine view
/// the control socket can ask for.
public protocol SyncLinkService: Service, Sendable {
    /// A copy of the engine's view, taken on its event loop.
    func snapshot() -> EventLoopFuture<EngineSnapshot>
}

extension SyncTransport: SyncLinkService {}

extension Daemon {
    /// The sync link of `sync.mode`: pfsyncd's UDP transport, or plain pfsync on IP
    /// protocol 240.
    static func syncLink(
        plan: DaemonPlan, loop: any EventLoop, table: StateTable, stats: ReplicationStats, logger: Logger
    ) throws(SyncSetupError) -> any SyncLinkService {
        switch plan.config.sync.mode {
        case .pfsync:
            return RawSyncTransport(
                loop: loop, engineConfig: plan.engine, table: table, endpoints: plan.endpoints,
                sync: plan.config.sync, stats: stats, logger: logger)
        case .pfsyncd:
            guard let key = plan.key else {
                throw SyncSetupError("config: sync.key_file: is required in pfsyncd mode")
            }
            return SyncTransport(
                loop: loop, engineConfig: plan.engine, table: table, key: key, endpoints: plan.endpoints,
                sync: plan.config.sync, testing: plan.config.testing, stats: stats, logger: logger)
        }
    }
}
