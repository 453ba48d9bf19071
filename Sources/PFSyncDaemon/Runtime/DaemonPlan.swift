import PFSyncConfig
import PFSyncCore
import PFSyncReplication
import PFSyncTracker
import PFSyncWire

/// Everything `pfsyncd run` derives from its configuration before any service starts: a
/// problem here (a missing key file, an address of the wrong family) stops the daemon
/// before it binds anything.
public struct DaemonPlan: Sendable {
    /// The configuration.
    public var config: DaemonConfig
    /// The pre-shared key (pfsyncd mode; nil in plain pfsync mode, which has none).
    public var key: SyncKey?
    /// The sync link's addresses.
    public var endpoints: SyncEndpoints
    /// The replication engine's settings.
    public var engine: EngineConfig
    /// The trackers' settings.
    public var tracker: TrackerConfig
    /// Packet sources.
    public var sources: [CaptureSource]

    /// Derives the plan. `epoch` is this run's epoch (default: the wall clock in seconds).
    public init(config: DaemonConfig, epoch: UInt32 = DaemonClock.wallSeconds()) throws(SyncSetupError) {
        if config.sync.mode == .pfsync {
            // Plain pfsync has no key; its raw socket needs CAP_NET_RAW (checked now).
            key = nil
            try Self.checkPlainPFSync(config.sync)
        } else {
            guard let keyPath = config.sync.keyFile else {
                throw SyncSetupError("config: sync.key_file: is required in pfsyncd mode")
            }
            do {
                key = try SyncKey.load(path: keyPath)
            } catch {
                throw SyncSetupError("sync.key_file \(keyPath): \(error)")
            }
        }
        self.config = config
        endpoints = try SyncEndpoints(sync: config.sync)

        var engine = EngineConfig(nodeID: config.nodeID, epoch: epoch)
        engine.maxDatagramSize = endpoints.maxDatagramSize
        engine.maxUpdates = config.sync.maxUpdates
        engine.resendFrames = config.sync.resendFrames
        engine.keepaliveNanos = UInt64(config.sync.keepaliveMilliseconds * 1_000_000)
        engine.ackDelayNanos = UInt64(config.sync.ackDelayMilliseconds * 1_000_000)
        engine.stateEncoding = Self.encoding(format: config.sync.stateFormat)
        if config.sync.pfsyncVersion == 6 {
            engine.pfsyncVersion = .openBSD
            engine.stateEncoding = .openBSD
        }
        if config.sync.deferral { engine.insertAcknowledgements = InsertAcknowledgements() }
        engine.deferInserts = config.sync.deferral
        engine.deltaUpdates = config.sync.deltaUpdates
        if config.sync.mode == .pfsync { Self.adaptToPlainPFSync(&engine) }
        self.engine = engine

        var timeouts = TrackerTimeouts.pfDefaults
        for (name, seconds) in config.timeouts.sorted(by: { $0.key < $1.key }) {
            do {
                try timeouts.set(name, seconds: seconds)
            } catch {
                throw SyncSetupError("config: timeouts.\(name): pf has no such timeout")
            }
        }
        tracker = TrackerConfig(timeouts: timeouts, sloppy: config.capture.sloppy, creatorID: config.nodeID)
        sources = config.capture.interfaces.map {
            .interface(name: $0, filter: config.capture.filter, snaplen: config.capture.snaplen)
        } + config.capture.files.map { .file(path: $0, rate: config.capture.rate) }
        if let feed = config.capture.feed { sources.append(.feed(path: feed)) }
        if config.testing.syntheticStates > 0 {
            sources.append(
                .synthetic(
                    SyntheticLoad(
                        states: config.testing.syntheticStates, updates: config.testing.syntheticUpdates,
                        rate: config.testing.syntheticRate, replicateInserts: config.testing.syntheticReplicateInserts,
                        creatorID: config.nodeID)))
        }
    }

    /// The full-state format of `sync.state_format`.
    public static func encoding(format: Int) -> StateEncoding {
        switch format {
        case 1301: return .freeBSD1301
        case 1500: return .freeBSD1500
        default: return .freeBSD1400
        }
    }

    /// A new, empty table sized by `[table] shards` and `reserve_states`.
    public func makeTable() -> StateTable {
        StateTable(
            shardCount: config.shards, reservingStates: config.reserveStates, maxUpdates: config.sync.maxUpdates)
    }
}
