import Logging
import NIOPosix
import PFSyncCore
import PFSyncTracker
import ServiceLifecycle

/// The packet sources as a service: one thread per source (a live interface or a capture
/// file), each with its own tracker writing the shared table. Runs until graceful shutdown;
/// a capture file that ends leaves the daemon running.
public final class CaptureService: Service, Sendable {
    private let sources: [CaptureSource]
    private let table: StateTable
    private let trackerConfig: TrackerConfig
    private let logger: Logger
    private let deferral: FeedDeferral?
    private let audit: TakeoverAudit?
    private let stop = StopFlag()
    /// What `status` shows about every source.
    public let monitor: CaptureMonitor

    /// Creates the service; threads start in ``run()``. `deferral` (`sync.defer`) holds a
    /// feed socket's batch replies until the peer acknowledged the batch's new states;
    /// `audit` judges the sessions live interfaces see after a takeover.
    public init(
        sources: [CaptureSource], table: StateTable, trackerConfig: TrackerConfig, logger: Logger,
        deferral: FeedDeferral? = nil, audit: TakeoverAudit? = nil
    ) {
        self.sources = sources
        self.audit = audit
        self.deferral = deferral
        self.table = table
        self.trackerConfig = trackerConfig
        self.logger = logger
        self.monitor = CaptureMonitor(
            sources: sources.map { source in
                CaptureStatus(source: source)
            })
    }

    public func run() async throws {
        guard !sources.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let pool = NIOThreadPool(numberOfThreads: sources.count)
        pool.start()
        for (index, source) in sources.enumerated() {
            if case .feed(let path) = source {
                let runner = FeedRunner(
                    path: path, index: index, table: table, trackerConfig: trackerConfig, monitor: monitor, stop: stop,
                    deferral: deferral)
                pool.submit { _ in runner.run() }
                continue
            }
            let runner = CaptureRunner(
                source: source, index: index, table: table, trackerConfig: trackerConfig, monitor: monitor, stop: stop,
                logger: logger, audit: audit)
            pool.submit { _ in runner.run() }
        }
        logger.info("capture started", metadata: ["sources": "\(sources.map(\.name))"])
        try? await gracefulShutdown()
        stop.raise()
        try await pool.shutdownGracefully()
        logger.info("capture stopped")
    }
}
