import PFSyncCapture

/// A packet source of the daemon: a live interface or a capture file.
public enum CaptureSource: Sendable, Hashable {
    /// A live interface, with the BPF filter and snapshot length.
    case interface(name: String, filter: String?, snaplen: Int)
    /// A capture file, replayed at `rate` times its own speed (0: as fast as possible).
    case file(path: String, rate: Double)
    /// A feed socket (`capture.feed`): a client streams frames in (``FeedProtocol``).
    case feed(path: String)
    /// The `[testing]` synthetic writer (benchmarks): no packets, table updates.
    case synthetic(SyntheticLoad)

    /// The interface name or path.
    public var name: String {
        switch self {
        case .interface(let name, _, _): return name
        case .file(let path, _): return path
        case .feed(let path): return path
        case .synthetic: return SyntheticLoad.sourceName
        }
    }

    /// True for a file.
    public var isFile: Bool {
        if case .file = self { return true }
        return false
    }
}
