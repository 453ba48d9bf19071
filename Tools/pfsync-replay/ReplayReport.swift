import Foundation
import PFSyncDaemon

/// The figures of one replay, printed as a table or as one JSON object.
struct ReplayReport {
    var packets = 0
    var packetsBeforeFailover = 0
    var sessions = 0
    var primarySeconds = 0.0
    var totalSeconds = 0.0
    var primary = StatsFigures()
    var backup = StatsFigures()
    var failover: FailoverPlan?
    var sessionsAtFailover: Int?
    var sessionsTested: Int?
    var sessionsLost: Int?
    var sessionsStalled: Int?
    var sessionsLostSloppy: Int?
    var lostNoState: Int?
    var lostOutOfWindow: Int?
    var takeoverMilliseconds: Double?
    var packetsInGap: Int?
    var converged: Bool?
    var convergenceDetail: String?
    var errors: [String] = []

    var updatesPerSecond: Double { primarySeconds > 0 ? Double(primary.ingested) / primarySeconds : 0 }
    var appliedPerSecond: Double { primarySeconds > 0 ? Double(backup.applied) / primarySeconds : 0 }
    var wireBytesPerUpdate: Double {
        primary.messagesSent > 0 ? Double(primary.bytesSent) / Double(primary.messagesSent) : 0
    }
    var compressionRatio: Double { primary.bytesSent > 0 ? Double(primary.rawBytesSent) / Double(primary.bytesSent) : 0 }

    /// The JSON object (keys documented in README.md, "Load test: pfsync-replay").
    var json: JSONValue {
        func int(_ value: Int?) -> JSONValue { value.map { .unsigned(UInt64(max(0, $0))) } ?? .null }
        func num(_ value: Double) -> JSONValue { .double((value * 1000).rounded() / 1000) }
        return .object([
            ("packets", int(packets)),
            ("packets_before_failover", int(packetsBeforeFailover)),
            ("sessions", int(sessions)),
            ("seconds", num(totalSeconds)),
            ("primary_seconds", num(primarySeconds)),
            ("updates_ingested", .unsigned(primary.ingested)),
            ("updates_per_sec", num(updatesPerSecond)),
            ("updates_applied", .unsigned(backup.applied)),
            ("applied_per_sec", num(appliedPerSecond)),
            ("messages_sent", .unsigned(primary.messagesSent)),
            ("wire_bytes", .unsigned(primary.bytesSent)),
            ("wire_bytes_per_update", num(wireBytesPerUpdate)),
            ("compression_ratio", num(compressionRatio)),
            ("lag_p50_us", primary.lagP50.map(JSONValue.unsigned) ?? .null),
            ("lag_p99_us", primary.lagP99.map(JSONValue.unsigned) ?? .null),
            ("failover", failover.map { .string($0.mode.rawValue) } ?? .null),
            ("sessions_at_failover", int(sessionsAtFailover)),
            ("sessions_tested", int(sessionsTested)),
            ("sessions_stalled", int(sessionsStalled)),
            ("sessions_lost", int(sessionsLost)),
            ("sessions_lost_sloppy", int(sessionsLostSloppy)),
            ("lost_no_state", int(lostNoState)),
            ("lost_out_of_window", int(lostOutOfWindow)),
            ("takeover_ms", takeoverMilliseconds.map(num) ?? .null),
            ("packets_in_gap", int(packetsInGap)),
            ("converged", converged.map(JSONValue.bool) ?? .null),
            ("errors", .array(errors.map(JSONValue.string))),
        ])
    }

    /// The final table.
    var table: String {
        var rows: [(String, String)] = [
            ("packets fed", "\(packets) (\(packetsBeforeFailover) to the primary)"),
            ("sessions in the replay", "\(sessions)"),
            ("replay time", String(format: "%.3f s (primary %.3f s)", totalSeconds, primarySeconds)),
            ("updates ingested (primary)", String(format: "%llu, %.0f/s", primary.ingested, updatesPerSecond)),
            ("updates applied (backup)", String(format: "%llu, %.0f/s", backup.applied, appliedPerSecond)),
            ("wire bytes per update", String(format: "%.1f (compression %.2fx)", wireBytesPerUpdate, compressionRatio)),
            ("lag p50 / p99", "\(primary.lagP50.map { "\($0) us" } ?? "-") / \(primary.lagP99.map { "\($0) us" } ?? "-")"),
        ]
        if let failover {
            rows += [
                ("failover", failover.mode.rawValue),
                ("takeover", takeoverMilliseconds.map { String(format: "%.1f ms", $0) } ?? "-"),
                ("packets in the gap", packetsInGap.map(String.init) ?? "-"),
                ("sessions alive at failover", sessionsAtFailover.map(String.init) ?? "-"),
                ("sessions tested", sessionsTested.map(String.init) ?? "-"),
                ("sessions stalled", sessionsStalled.map(String.init) ?? "-"),
                ("sessions lost (strict)", sessionsLost.map {
                    "\($0) (no state \(lostNoState ?? 0), out of window \(lostOutOfWindow ?? 0))"
                } ?? "-"),
                ("sessions lost (sloppy)", sessionsLostSloppy.map(String.init) ?? "-"),
            ]
        } else {
            rows.append(("converged", converged.map { $0 ? "yes" : "no (\(convergenceDetail ?? "?"))" } ?? "-"))
        }
        for error in errors { rows.append(("error", error)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
