import PFSyncDaemon

/// The counters this tool reads from a daemon's `stats` object.
struct StatsFigures {
    /// State changes the node's trackers made (states created plus packets matched).
    var ingested: UInt64 = 0
    /// Changes applied from the peer (created, updated, deleted).
    var applied: UInt64 = 0
    var bytesSent: UInt64 = 0
    var rawBytesSent: UInt64 = 0
    var messagesSent: UInt64 = 0
    var lagP50: UInt64?
    var lagP99: UInt64?

    init() {}

    init(_ stats: JSONValue) {
        func n(_ section: String, _ key: String) -> UInt64 { stats[section]?[key]?.unsignedValue ?? 0 }
        ingested = n("tracker", "states_created") &+ n("tracker", "matched")
        applied = n("table", "created") &+ n("table", "updated") &+ n("table", "deleted")
        bytesSent = n("traffic", "bytes_sent")
        rawBytesSent = n("traffic", "raw_bytes_sent")
        messagesSent = n("traffic", "messages_sent")
        lagP50 = stats["lag"]?["p50_us"]?.unsignedValue
        lagP99 = stats["lag"]?["p99_us"]?.unsignedValue
    }

    /// `self - earlier`, counter by counter (latencies are taken from `self`).
    func since(_ earlier: StatsFigures) -> StatsFigures {
        var delta = self
        delta.ingested = ingested &- earlier.ingested
        delta.applied = applied &- earlier.applied
        delta.bytesSent = bytesSent &- earlier.bytesSent
        delta.rawBytesSent = rawBytesSent &- earlier.rawBytesSent
        delta.messagesSent = messagesSent &- earlier.messagesSent
        return delta
    }
}
