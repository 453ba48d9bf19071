import Logging

/// Warns when a live capture's kernel buffer overflowed: the tracker missed packets, so
/// states may be missing or behind (a SYN never seen, a window not moved). At most one
/// warning per ``interval``, with the drops since the last one.
struct DropWatch {
    private var reported: UInt32 = 0
    private var lastWarningNanos: UInt64 = 0
    /// The shortest time between two warnings.
    static let interval: UInt64 = 10_000_000_000

    /// Looks at the kernel's drop count (`pcap_stats` ps_drop, cumulative).
    mutating func check(_ dropped: UInt32, nowNanos: UInt64, source: String, logger: Logger) {
        guard dropped != reported else { return }
        guard lastWarningNanos == 0 || nowNanos &- lastWarningNanos >= Self.interval else { return }
        logger.warning(
            "capture buffer overflowed: the tracker missed packets",
            metadata: ["source": "\(source)", "dropped": "\(dropped &- reported)", "dropped_total": "\(dropped)"])
        reported = dropped
        lastWarningNanos = nowNanos
    }
}
