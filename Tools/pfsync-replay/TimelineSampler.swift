import Foundation
import PFSyncDaemon
import Synchronization

/// Samples both daemons' counters about ten times a second on a thread of its own (for
/// `--plot`): the master's ingestion (primary, then the promoted backup) and the backup's
/// applied changes.
final class TimelineSampler: Sendable {
    /// One sample: seconds since the start and the cumulative counters (nil: no answer).
    struct Sample: Sendable {
        var seconds: Double
        var primaryIngested: UInt64?
        var backupIngested: UInt64?
        var backupApplied: UInt64?
    }

    private let primary: String
    private let backup: String
    private let samples = Mutex<[Sample]>([])
    private let stopped = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let startNanos = Clock.nanos()

    init(primarySocket: String, backupSocket: String) {
        primary = primarySocket
        backup = backupSocket
    }

    /// Starts the sampling thread.
    func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                let now = Clock.nanos()
                let p = try? ControlClient.request(path: primary, command: "stats", timeoutSeconds: 1)
                let b = try? ControlClient.request(path: backup, command: "stats", timeoutSeconds: 1)
                let sample = Sample(
                    seconds: Double(now &- startNanos) / 1e9, primaryIngested: p.map { StatsFigures($0).ingested },
                    backupIngested: b.map { StatsFigures($0).ingested }, backupApplied: b.map { StatsFigures($0).applied })
                samples.withLock { $0.append(sample) }
                Clock.sleep(until: now &+ 100_000_000)
            }
            done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    /// Seconds since the sampler was created.
    var elapsed: Double { Double(Clock.nanos() &- startNanos) / 1e9 }

    /// Stops the thread (waits for it) and returns the samples.
    func stop() -> [Sample] {
        stopped.store(true, ordering: .releasing)
        while started.load(ordering: .acquiring) && !done.load(ordering: .acquiring) { usleep(10_000) }
        return samples.withLock { $0 }
    }
}
