#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import PFSyncCapture
import PFSyncCore
import PFSyncTracker

/// One packet source's thread: reads packets, parses them and feeds the tracker (which lives
/// only on this thread); the table it writes is shared with the replication engine. Reuses
/// one parsed-packet record: nothing is allocated per packet.
struct CaptureRunner {
    let source: CaptureSource
    let index: Int
    let table: StateTable
    let trackerConfig: TrackerConfig
    let monitor: CaptureMonitor
    let stop: StopFlag
    let logger: Logger
    /// Judges sessions after a takeover (live interfaces only).
    var audit: TakeoverAudit? = nil
    /// Packets between clock advances and status publications.
    static let publishEvery: UInt64 = 1024

    /// Runs until the stop flag is raised (a finished file keeps the tracker's clock going,
    /// so its states still expire as pf's purge would remove them).
    func run() {
        var status = CaptureStatus(source: source)
        var tracker = Tracker(
            table: table, config: trackerConfig, startTime: DaemonClock.wallSeconds(), followPacketTime: false)
        switch source {
        case let .file(path, rate):
            do {
                let file = try PcapFileSource(path: path)
                status.phase = .running
                monitor.publish(status, at: index)
                replay(file, rate: rate, tracker: &tracker, status: &status)
                if status.phase == .running { status.phase = .finished }
                if let error = file.errorText { status.error = error }
            } catch {
                status.phase = .failed
                status.error = "\(error)"
            }
        case let .interface(name, filter, snaplen):
            do {
                let options = PcapLiveSource.Options(
                    snapshotLength: Int32(clamping: snaplen), timeoutMilliseconds: 100, filter: filter)
                let live = try PcapLiveSource(interface: name, options: options)
                status.phase = .running
                monitor.publish(status, at: index)
                capture(live, tracker: &tracker, status: &status)
                live.close()
            } catch {
                status.phase = .failed
                status.error = "\(error)"
            }
        case .synthetic(let load):
            ThreadName.set("pfsyncd-synth")
            SyntheticWriter(load: load, table: table, index: index, monitor: monitor, stop: stop).run(status: &status)
        case .feed:
            status.phase = .failed
            status.error = "a feed socket is served by FeedRunner"
        }
        status.summary = tracker.summary
        monitor.publish(status, at: index)
        report(status)
        idle(tracker: &tracker, status: &status)
    }

    /// Says in the log how the source ended (a failure is an error: the node no longer sees
    /// that traffic).
    private func report(_ status: CaptureStatus) {
        switch status.phase {
        case .failed:
            logger.error(
                "capture source failed", metadata: ["source": "\(source.name)", "error": "\(status.error ?? "?")"])
        case .finished:
            logger.info(
                "capture file finished",
                metadata: ["source": "\(source.name)", "packets": "\(status.packetsRead)"]
                    .merging(status.error.map { ["error": "\($0)"] } ?? [:]) { first, _ in first })
        default:
            break
        }
    }

    private func replay(_ file: PcapFileSource, rate: Double, tracker: inout Tracker, status: inout CaptureStatus) {
        let parser = PacketParser(linkType: file.linkType)
        var packet = ParsedPacket()
        var pacer = ReplayPacer(rate: rate)
        while !stop.isRaised {
            let outcome = file.next { header, bytes in
                pacer.wait(seconds: header.seconds, microseconds: header.microseconds)
                parser.parse(bytes, header: header, into: &packet)
                _ = tracker.process(packet)
            }
            guard outcome == .packet else { break }
            status.packetsRead &+= 1
            if status.packetsRead % Self.publishEvery == 0 { checkpoint(&tracker, &status) }
        }
        if stop.isRaised { status.phase = .stopped }
        checkpoint(&tracker, &status)
    }

    private func capture(_ live: PcapLiveSource, tracker: inout Tracker, status: inout CaptureStatus) {
        let parser = PacketParser(linkType: live.linkType)
        var packet = ParsedPacket()
        var lastCheckpoint = DaemonClock.monotonicNanos()
        var drops = DropWatch()
        var auditor = audit.map { TakeoverAuditor(audit: $0, table: table) }
        while !stop.isRaised {
            let outcome = live.next { header, bytes in
                parser.parse(bytes, header: header, into: &packet)
                let verdict = tracker.process(packet)
                auditor?.observe(packet, verdict: verdict)
            }
            switch outcome {
            case .packet:
                status.packetsRead &+= 1
            case .timeout:
                break
            case .end:
                status.phase = .failed
                status.error = live.errorText ?? "capture ended"
                return
            }
            let now = DaemonClock.monotonicNanos()
            if status.packetsRead % Self.publishEvery == 0 || now &- lastCheckpoint > 100_000_000 {
                lastCheckpoint = now
                if let statistics = live.statistics() {
                    status.kernelDropped = UInt64(statistics.dropped)
                    status.interfaceDropped = UInt64(statistics.interfaceDropped)
                    drops.check(statistics.dropped, nowNanos: now, source: source.name, logger: logger)
                }
                checkpoint(&tracker, &status)
            }
        }
        status.phase = .stopped
    }

    /// After the source ends: keep the clock (and so the purge) going until shutdown.
    private func idle(tracker: inout Tracker, status: inout CaptureStatus) {
        while !stop.isRaised {
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            _ = nanosleep(&pause, nil)
            checkpoint(&tracker, &status)
        }
    }

    private func checkpoint(_ tracker: inout Tracker, _ status: inout CaptureStatus) {
        tracker.advanceClock(to: DaemonClock.wallSeconds())
        status.summary = tracker.summary
        monitor.publish(status, at: index)
    }
}
