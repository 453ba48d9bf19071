import Logging
import PFSyncCore
import PFSyncReplication

/// One thing about the sync link that belongs in the daemon's log: the peer coming and
/// going, bulk updates, and bursts of dropped input.
public struct ReplicationEvent: Sendable, Hashable {
    /// How loud.
    public var level: Logger.Level
    /// What happened, in words.
    public var message: String
    /// The figures, as `key=value` metadata.
    public var metadata: [String: String]

    /// Logs the event.
    public func log(to logger: Logger) {
        logger.log(level: level, "\(message)", metadata: metadata.mapValues { .string($0) })
    }
}

/// Turns the engine's status and counters, looked at once per tick, into
/// ``ReplicationEvent``s: changes of the peer and of the bulk phases as they happen, and
/// counters of dropped input at most once per ``reportIntervalNanos`` each (the first at
/// once), with how many since the last report.
public struct ReplicationEventWatch: Sendable {
    /// The shortest time between two reports of the same dropped-input counter.
    public static let reportIntervalNanos: UInt64 = 10_000_000_000

    private var peerAlive = false
    private var peerEpoch: UInt32?
    private var incoming: BulkPhase = .idle
    private var sending = false
    private var sendingSince: UInt64 = 0
    private var drops = [DropReport](DropReport.all)

    /// A watch that has seen nothing yet.
    public init() {}

    /// Appends to `events` what changed since the last call (`events` is emptied first).
    /// `badSource`: datagrams from an address other than the peer's (the transport's count).
    public mutating func observe(
        status: EngineStatus, counters: ReplicationCounters, badSource: UInt64, nowNanos: UInt64,
        into events: inout [ReplicationEvent]
    ) {
        events.removeAll(keepingCapacity: true)
        observePeer(status, nowNanos: nowNanos, into: &events)
        observeBulk(status.bulk, nowNanos: nowNanos, into: &events)
        for index in drops.indices {
            let total = drops[index].counters.reduce(0) { $0 &+ counters[$1] } &+ (drops[index].badSource ? badSource : 0)
            if let event = drops[index].report(total: total, nowNanos: nowNanos) { events.append(event) }
        }
    }

    private mutating func observePeer(_ status: EngineStatus, nowNanos: UInt64, into events: inout [ReplicationEvent]) {
        defer {
            peerAlive = status.peerAlive
            if status.peerEpoch != nil { peerEpoch = status.peerEpoch }
        }
        let message: String
        let level: Logger.Level
        if status.peerAlive, !peerAlive {
            (level, message) = (.notice, "sync peer up")
        } else if status.peerAlive, let known = peerEpoch, let epoch = status.peerEpoch, known != epoch {
            (level, message) = (.notice, "sync peer restarted")
        } else if !status.peerAlive, peerAlive {
            (level, message) = (.warning, "sync peer silent: down")
        } else {
            return
        }
        var metadata: [String: String] = [:]
        if let id = status.peerID { metadata["peer_id"] = Hex.u32(id) }
        if let epoch = status.peerEpoch { metadata["epoch"] = String(epoch) }
        if !status.peerAlive, let last = status.lastFrameNanos, nowNanos > last {
            metadata["silent_ms"] = String((nowNanos - last) / 1_000_000)
        }
        events.append(ReplicationEvent(level: level, message: message, metadata: metadata))
    }

    private mutating func observeBulk(_ bulk: BulkView, nowNanos: UInt64, into events: inout [ReplicationEvent]) {
        if bulk.incoming != incoming {
            switch bulk.incoming {
            case .requested:
                events.append(ReplicationEvent(level: .info, message: "bulk update requested from the peer", metadata: [:]))
            case .receiving:
                events.append(ReplicationEvent(level: .info, message: "bulk update from the peer started", metadata: [:]))
            case .done:
                var metadata = ["states": String(bulk.statesReceived)]
                if let milliseconds = bulk.lastDurationMilliseconds { metadata["duration_ms"] = Self.milliseconds(milliseconds) }
                events.append(ReplicationEvent(level: .notice, message: "bulk update received", metadata: metadata))
            case .failed:
                events.append(
                    ReplicationEvent(
                        level: .error, message: "bulk update failed: no complete answer from the peer",
                        metadata: ["tries": String(bulk.tries), "states": String(bulk.statesReceived)]))
            case .idle:
                break
            }
            incoming = bulk.incoming
        }
        if bulk.sending != sending {
            if bulk.sending {
                sendingSince = nowNanos
                events.append(ReplicationEvent(level: .info, message: "sending a bulk update to the peer", metadata: [:]))
            } else {
                let milliseconds = Double(nowNanos &- sendingSince) / 1e6
                events.append(
                    ReplicationEvent(
                        level: .info, message: "bulk update sent",
                        metadata: ["states": String(bulk.statesSent), "duration_ms": Self.milliseconds(milliseconds)]))
            }
            sending = bulk.sending
        }
    }

    private static func milliseconds(_ value: Double) -> String {
        String(Double(Int((value * 10).rounded())) / 10)
    }
}

/// One kind of dropped input, reported at most once per interval with the count since the
/// last report.
struct DropReport: Sendable {
    var message: String
    var counters: [ReplicationCounters.Counter]
    var badSource = false
    var reported: UInt64 = 0
    var lastReportNanos: UInt64?

    static let all = [
        DropReport(message: "sync frames failed authentication (wrong key, forged or replayed)", counters: [.badauth]),
        DropReport(
            message: "malformed sync datagrams dropped (short, bad version, action, length or value)",
            counters: [.hdrops, .badver, .badact, .badlen, .badval]),
        DropReport(message: "pfsync packets dropped: TTL not 255 or another interface", counters: [.badttl, .badif]),
        DropReport(message: "sync datagrams from an address other than sync.peer dropped", counters: [], badSource: true),
        DropReport(message: "frames lost beyond the resend buffer: resyncing through a bulk update", counters: [.resyncs]),
        DropReport(message: "frames dropped: more arrived than the receive window holds", counters: [.queueDrops]),
    ]

    /// The event for `total`, if it grew and the last report is old enough.
    mutating func report(total: UInt64, nowNanos: UInt64) -> ReplicationEvent? {
        guard total > reported else {
            reported = total
            return nil
        }
        if let last = lastReportNanos, nowNanos &- last < ReplicationEventWatch.reportIntervalNanos { return nil }
        var metadata = ["count": String(total - reported)]
        if let last = lastReportNanos { metadata["in_last_s"] = String((nowNanos &- last) / 1_000_000_000) }
        reported = total
        lastReportNanos = nowNanos
        return ReplicationEvent(level: .warning, message: message, metadata: metadata)
    }
}
