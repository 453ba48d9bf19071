import Foundation
import PFSyncDaemon

/// One replay from start to report: load the capture, get a primary and a backup (started
/// here or given), feed the primary, fail it over when asked, finish on the backup, and
/// collect the figures.
struct ReplayRun {
    let settings: ReplaySettings

    func execute() throws(ReplayError) -> ReplayReport {
        let image: CaptureImage
        do {
            image = try CaptureImage(path: settings.capturePath)
        } catch {
            throw .capture("pfsync-replay: \(settings.capturePath): \(error)")
        }
        var launcher: PairLauncher?
        defer { launcher?.shutdown() }
        let primary: DaemonHandle, backup: DaemonHandle
        if let primarySocket = settings.externalPrimary, let backupSocket = settings.externalBackup {
            primary = DaemonHandle(name: "primary", controlSocket: primarySocket)
            backup = DaemonHandle(name: "backup", controlSocket: backupSocket)
            try primary.attach()
            try backup.attach()
        } else {
            let pair = try PairLauncher()
            launcher = pair
            (primary, backup) = try pair.start(pfsyncd: settings.pfsyncdPath ?? PairLauncher.defaultPfsyncd(), settings: settings)
        }
        return try replay(image: image, primary: primary, backup: backup)
    }

    private func replay(image: CaptureImage, primary: DaemonHandle, backup: DaemonHandle) throws(ReplayError) -> ReplayReport {
        var report = ReplayReport()
        report.sessions = image.sessions.count * settings.scale
        report.failover = settings.failover
        let sampler = TimelineSampler(primarySocket: primary.controlSocket, backupSocket: backup.controlSocket)
        if settings.plotPath != nil { sampler.start() }
        let primaryStart = StatsFigures(try primary.request("stats"))
        let backupStart = StatsFigures(try backup.request("stats"))
        var primaryEnd = primaryStart, backupEnd = backupStart
        let client = try FeedClient(path: primary.feedSocket, linkType: image.linkType.rawValue)
        let replayer = Replayer(image: image, settings: settings, client: client, progress: ProgressBar())
        var failoverSeconds: Double?
        var failover: Replayer.Failover?
        if let plan = settings.failover {
            failover = { () throws(ReplayError) -> (client: FeedClient, gapMicros: Int64) in
                var accounting = replayer.accounting
                accounting.markAlive(states: try primary.request("states"), image: image, scale: settings.scale)
                replayer.accounting = accounting
                // After the table was read: the changes flushed meanwhile and their ACKs count.
                primaryEnd = StatsFigures(try primary.request("stats"))
                backupEnd = StatsFigures(try backup.request("stats"))
                client.close()
                failoverSeconds = sampler.elapsed
                let killed = Clock.nanos()
                primary.signal(plan.mode == .crash ? SIGKILL : SIGTERM, wait: true)
                if plan.mode == .graceful { Self.waitUntilQuiet(backup) }
                _ = try backup.request("promote")
                let takeover = Clock.nanos() &- killed
                report.takeoverMilliseconds = Double(takeover) / 1e6
                let speed: Double
                if case .speed(let value) = settings.pacing { speed = value } else { speed = 1 }
                let next = try FeedClient(path: backup.feedSocket, linkType: image.linkType.rawValue)
                return (next, Int64(Double(takeover) / 1000 * speed))
            }
        }
        try replayer.run(failover: failover)
        if settings.failover == nil {
            primaryEnd = StatsFigures(try primary.request("stats"))
            backupEnd = StatsFigures(try backup.request("stats"))
            (report.converged, report.convergenceDetail) = waitForConvergence(primary: primary, backup: backup)
            // The lag percentiles once the last frames were acknowledged.
            if let latest = try? primary.request("stats") {
                let figures = StatsFigures(latest)
                (primaryEnd.lagP50, primaryEnd.lagP99) = (figures.lagP50, figures.lagP99)
            }
        } else {
            let accounting = replayer.accounting
            report.sessionsAtFailover = accounting.aliveAtFailover
            report.sessionsTested = accounting.tested
            report.sessionsLost = accounting.lost
            report.sessionsStalled = accounting.stalled
            report.sessionsLostSloppy = accounting.lostSloppy
            report.lostNoState = accounting.lostNoState
            report.lostOutOfWindow = accounting.lostOutOfWindow
            report.packetsInGap = replayer.packetsInGap
            if failoverSeconds == nil { report.errors.append("the replay ended before the failover point") }
        }
        report.packets = replayer.packets
        report.packetsBeforeFailover = replayer.packetsBeforeFailover
        report.primarySeconds = replayer.primarySeconds
        report.totalSeconds = replayer.totalSeconds
        report.primary = primaryEnd.since(primaryStart)
        report.backup = backupEnd.since(backupStart)
        let samples = sampler.stop()
        if let path = settings.plotPath {
            let marker = failoverSeconds.map {
                SVGPlot.Marker(seconds: $0, label: "\(settings.failover?.mode.rawValue ?? "") failover: \(report.sessionsLost ?? 0) of \(report.sessionsTested ?? 0) tested sessions lost")
            }
            do {
                try SVGPlot.write(samples: samples, failover: marker, to: path)
            } catch {
                report.errors.append("cannot write the plot \(path): \(error)")
            }
        }
        return report
    }

    /// After a graceful stop: waits (bounded, 2 s) until the backup has taken in the frames
    /// the primary flushed on its way out (its received-frame count stays the same over
    /// three polls 20 ms apart), as a planned handover moves traffic only once the peer is
    /// in sync; a crash gets no such wait.
    static func waitUntilQuiet(_ backup: DaemonHandle) {
        let deadline = Date().addingTimeInterval(2)
        var last: UInt64?
        var same = 0
        while Date() < deadline, same < 3 {
            let frames = (try? backup.request("stats"))?["traffic"]?["frames_received"]?.unsignedValue
            same = frames != nil && frames == last ? same + 1 : 0
            last = frames
            usleep(20_000)
        }
    }

    /// Polls both tables (bounded, 60 s: a loaded machine may need long; the time is only
    /// spent when they differ) until the backup holds what the primary holds.
    private func waitForConvergence(primary: DaemonHandle, backup: DaemonHandle) -> (Bool, String?) {
        let deadline = Date().addingTimeInterval(60)
        var detail: String? = "no answer"
        repeat {
            if let a = try? primary.request("states"), let b = try? backup.request("states") {
                detail = TableComparison.difference(a, b)
                if detail == nil { return (true, nil) }
            }
            usleep(200_000)
        } while Date() < deadline
        return (false, detail)
    }
}
