import PFSyncTracker

/// Where one packet source stands, as `pfsyncd status` shows it.
public enum CapturePhase: String, Sendable, Hashable {
    /// Not started yet.
    case starting
    /// Reading packets.
    case running
    /// A capture file was read to its end (the daemon keeps replicating).
    case finished
    /// The source could not be opened or broke.
    case failed
    /// Stopped by shutdown.
    case stopped
}

/// One packet source's published state.
public struct CaptureStatus: Sendable, Equatable {
    /// The interface name or the file path.
    public var name: String
    /// True for a capture file, false for a live interface.
    public var isFile: Bool
    /// Where it stands.
    public var phase: CapturePhase = .starting
    /// Packets read from the source.
    public var packetsRead: UInt64 = 0
    /// The tracker's counters.
    public var summary = TrackerSummary()
    /// Why it failed or stopped early, when it did (a feed: the last connection error).
    public var error: String?
    /// True for a feed socket (``CaptureSource/feed(path:)``).
    public var isFeed = false
    /// A feed socket: clients served, and connections closed for a bad hello or record.
    public var feedConnections: UInt64 = 0
    public var feedErrors: UInt64 = 0
    /// True for a live interface.
    public var isInterface = false
    /// A live interface: packets the kernel dropped because the capture buffer was full
    /// (`pcap_stats` ps_drop; the tracker never saw them), and packets the interface or
    /// driver dropped (ps_ifdrop). nil for other sources, or when libpcap cannot tell.
    public var kernelDropped: UInt64?
    public var interfaceDropped: UInt64?

    /// A source that has not started.
    public init(name: String, isFile: Bool) {
        self.name = name
        self.isFile = isFile
    }

    /// `source` before it starts, with its kind (file, feed or live interface) set.
    public init(source: CaptureSource) {
        self.init(name: source.name, isFile: source.isFile)
        switch source {
        case .feed: isFeed = true
        case .interface: isInterface = true
        case .file, .synthetic: break
        }
    }
}
