import ArgumentParser
import Foundation
import PFSyncDaemon

/// `pfsync-replay`: replays a capture through a primary/backup pair of pfsyncd daemons,
/// optionally fails the primary over, and reports updates/s and sessions lost.
@main
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pfsync-replay",
        abstract: "Replay a capture through a pfsyncd primary/backup pair, fail over, count sessions lost.",
        discussion: "Without --primary/--backup it starts both daemons on loopback (no root needed).")

    @Option(name: .long, help: "The capture to replay (pcap, pcapng, .gz).")
    var pcap: String

    @Option(name: .long, help: "Control socket of a running primary (with --backup; both need capture.feed).")
    var primary: String?

    @Option(name: .long, help: "Control socket of a running backup.")
    var backup: String?

    @Option(name: .long, help: "The pfsyncd binary (default: beside this tool).")
    var pfsyncd: String?

    @Option(name: .long, help: "Replay at this multiple of capture time (default 1).")
    var speed: Double?

    @Option(name: .long, help: "Replay at this many packets per second.")
    var pps: Double?

    @Flag(name: .long, help: "Replay as fast as the primary answers.")
    var max = false

    @Option(name: .long, help: "Replay K copies of the capture at once, with rewritten addresses.")
    var scale = 1

    @Option(name: .long, help: "Passes over the capture (default 1; with --duration alone: until the duration).")
    var loop: Int?

    @Option(name: .long, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(
        name: .customLong("failover-at"),
        help: "Seconds into the replay, or a fraction (0 < f < 1) of it (default with --failover: 0.5).")
    var failoverAt: String?

    @Option(name: .long, help: "crash (SIGKILL the primary) or graceful (SIGTERM: it flushes and exits).")
    var failover: String?

    @Flag(name: .customLong("defer"), help: "sync.defer in the daemons this tool starts.")
    var deferral = false

    @Option(name: .customLong("flush-interval-ms"), help: "sync.flush_interval_ms in the daemons this tool starts.")
    var flushInterval: Double?

    @Option(name: .customLong("batch"), help: "Packets per feed batch (default 256).")
    var batch = 256

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: .long, help: "Draw the timeline into this SVG file.")
    var plot: String?

    /// Where `--failover` alone fails over: halfway through the replay.
    static let defaultFailoverPoint = "0.5"

    func validate() throws {
        let pacings = [speed != nil, pps != nil, max].filter { $0 }.count
        guard pacings <= 1 else { throw ValidationError("choose one of --speed, --pps and --max") }
        if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be positive") }
        if let pps, !(pps > 0 && pps.isFinite) { throw ValidationError("--pps must be positive") }
        guard (1...65_536).contains(scale) else { throw ValidationError("--scale must be 1 to 65536") }
        guard (1...FeedProtocol.maximumBatch).contains(batch) else {
            throw ValidationError("--batch must be 1 to \(FeedProtocol.maximumBatch)")
        }
        if let loop, loop < 1 { throw ValidationError("--loop must be at least 1") }
        if let duration, !(duration > 0 && duration.isFinite) { throw ValidationError("--duration must be positive") }
        guard (primary == nil) == (backup == nil) else { throw ValidationError("give both --primary and --backup") }
        if let failover, FailoverPlan.Mode(rawValue: failover) == nil {
            throw ValidationError("--failover must be crash or graceful (got '\(failover)')")
        }
        if let failoverAt {
            guard failover != nil else { throw ValidationError("--failover-at needs --failover crash or graceful") }
            guard ReplaySettings.failoverPoint(failoverAt) != nil else {
                throw ValidationError("--failover-at must be seconds (>= 1) or a fraction (0 < f < 1), got '\(failoverAt)'")
            }
        }
    }

    func run() throws {
        var settings = ReplaySettings(capturePath: pcap)
        if let speed { settings.pacing = .speed(speed) }
        if let pps { settings.pacing = .packetsPerSecond(pps) }
        if max { settings.pacing = .maximum }
        settings.scale = scale
        settings.loops = loop ?? (duration == nil ? 1 : nil)
        settings.duration = duration
        if let failover, let mode = FailoverPlan.Mode(rawValue: failover),
            let point = ReplaySettings.failoverPoint(failoverAt ?? Self.defaultFailoverPoint)
        {
            settings.failover = FailoverPlan(mode: mode, point: point)
        }
        settings.externalPrimary = primary
        settings.externalBackup = backup
        settings.pfsyncdPath = pfsyncd
        settings.deferral = deferral
        settings.flushIntervalMilliseconds = flushInterval
        settings.json = json
        settings.plotPath = plot
        settings.batchSize = batch
        let report: ReplayReport
        do {
            report = try ReplayRun(settings: settings).execute()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            var bytes: [UInt8] = []
            report.json.write(into: &bytes)
            bytes.append(0x0A)
            FileHandle.standardOutput.write(Data(bytes))
        } else {
            print(report.table)
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
