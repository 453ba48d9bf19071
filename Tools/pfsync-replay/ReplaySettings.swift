/// How fast packets are fed.
enum Pacing: Sendable, Equatable {
    /// A multiple of the capture's own speed.
    case speed(Double)
    /// A fixed number of packets per second.
    case packetsPerSecond(Double)
    /// As fast as the primary answers.
    case maximum
}

/// When the primary fails, and how.
struct FailoverPlan: Sendable, Equatable {
    /// How the primary goes away.
    enum Mode: String, Sendable {
        /// SIGKILL: no flush.
        case crash
        /// SIGTERM: the primary flushes its pending changes and exits.
        case graceful
    }

    /// Where in the replay.
    enum Point: Sendable, Equatable {
        /// A fraction (0 < f < 1) of the replay's packets (or of `--duration`).
        case fraction(Double)
        /// Seconds after the first packet was fed.
        case seconds(Double)
    }

    var mode: Mode
    var point: Point
}

/// Everything a replay run needs, validated from the command line.
struct ReplaySettings: Sendable {
    var capturePath: String
    var pacing: Pacing = .speed(1)
    /// Copies of every packet with rewritten addresses.
    var scale = 1
    /// Passes over the capture (nil: until ``duration``).
    var loops: Int? = 1
    /// Wall-clock limit in seconds.
    var duration: Double?
    var failover: FailoverPlan?
    /// Control sockets of already running daemons (both or neither).
    var externalPrimary: String?
    var externalBackup: String?
    /// The pfsyncd binary for the pair this tool starts.
    var pfsyncdPath: String?
    /// `sync.defer` in the configs this tool writes.
    var deferral = false
    /// `flush_interval_ms` in the configs this tool writes (nil: the config default).
    var flushIntervalMilliseconds: Double?
    var json = false
    var plotPath: String?
    /// Packets per batch.
    var batchSize = 256

    /// Parses `--failover-at`: a value strictly between 0 and 1 is a fraction, else seconds.
    static func failoverPoint(_ text: String) -> FailoverPlan.Point? {
        guard let value = Double(text), value.isFinite, value > 0 else { return nil }
        return value < 1 ? .fraction(value) : .seconds(value)
    }
}
