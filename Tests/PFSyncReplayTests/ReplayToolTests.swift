import Foundation
import Testing

/// `pfsync-replay` end to end: it starts a primary and a backup `pfsyncd` on loopback, feeds
/// the project's netns capture through the primary's feed socket and reports JSON.
@Suite(.serialized) struct ReplayToolTests {
    static let capture = ReplayBinaryLocator.capture("netns-mixed.pcap")

    static func number(_ object: NSDictionary, _ key: String) -> Int? {
        (object[key] as? NSNumber)?.intValue
    }

    @Test func withoutFailoverTheBackupConverges() throws {
        let run = try ReplayBinaryLocator.replay(["--pcap", Self.capture, "--max", "--json"])
        #expect(run.status == 0, "\(run.stderr) \(run.stdout)")
        let report = try run.json()
        #expect(report["converged"] as? Bool == true, "\(report)")
        #expect((report["errors"] as? [Any])?.isEmpty == true)
        let packets = Self.number(report, "packets") ?? 0
        #expect(packets > 1000)
        #expect((Self.number(report, "updates_ingested") ?? 0) > 0)
        #expect((Self.number(report, "updates_applied") ?? 0) > 0)
        #expect(report["sessions_lost"] is NSNull)
    }

    @Test func scaledReplayFeedsKTimesThePacketsAndStillConverges() throws {
        let single = try ReplayBinaryLocator.replay(["--pcap", Self.capture, "--max", "--json"]).json()
        let run = try ReplayBinaryLocator.replay(["--pcap", Self.capture, "--max", "--scale", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try run.json()
        #expect(Self.number(report, "packets") == (Self.number(single, "packets") ?? -1) * 3)
        #expect(Self.number(report, "sessions") == (Self.number(single, "sessions") ?? -1) * 3)
        #expect(report["converged"] as? Bool == true, "\(report)")
    }

    /// (`--failover` alone fails over halfway.)
    @Test func gracefulFailoverLosesNoSession() throws {
        let run = try ReplayBinaryLocator.replay(["--pcap", Self.capture, "--max", "--failover", "graceful", "--json"])
        #expect(run.status == 0, "\(run.stderr) \(run.stdout)")
        let report = try run.json()
        #expect(Self.number(report, "sessions_lost") == 0, "\(report)")
        #expect(report["takeover_ms"] is NSNumber)
        #expect(report["converged"] is NSNull)
    }

    @Test func crashFailoverCountsAreOrdered() throws {
        let run = try ReplayBinaryLocator.replay([
            "--pcap", Self.capture, "--max", "--failover", "crash", "--failover-at", "0.5", "--json",
        ])
        #expect(run.status == 0, "\(run.stderr) \(run.stdout)")
        let report = try run.json()
        let lost = try #require(Self.number(report, "sessions_lost"))
        let tested = try #require(Self.number(report, "sessions_tested"))
        let alive = try #require(Self.number(report, "sessions_at_failover"))
        let stalled = try #require(Self.number(report, "sessions_stalled"))
        #expect(lost + stalled <= tested)
        #expect(tested <= alive)
        #expect((Self.number(report, "sessions_lost_sloppy") ?? Int.max) <= lost)
    }

    @Test func aMissingCaptureIsAClearErrorWithNonZeroExit() throws {
        let path = "/nonexistent/pfsync-replay-\(UInt32.random(in: 0...UInt32.max)).pcap"
        let run = try ReplayBinaryLocator.replay(["--pcap", path, "--json"])
        #expect(run.status != 0)
        #expect(run.stderr.contains(path))
        #expect(run.stdout.isEmpty)
    }

    @Test(arguments: [
        (["--max", "--speed", "2"], "choose one of --speed, --pps and --max"),
        (["--failover-at", "0.5"], "--failover-at needs --failover crash or graceful"),
        (["--failover", "boom"], "--failover must be crash or graceful (got 'boom')"),
        (["--failover", "crash", "--failover-at", "0"], "--failover-at must be seconds (>= 1) or a fraction"),
    ])
    func badOptionsAreRefusedNamingTheOption(options: [String], message: String) throws {
        let run = try ReplayBinaryLocator.replay(["--pcap", Self.capture] + options)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
