#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PFSyncCore

/// Runs a ``SyntheticLoad`` on the calling thread (a capture source's thread): inserts the
/// states, then applies random updates by id until the count is reached or the stop flag
/// is raised. `status.packetsRead` counts the updates applied; nothing is allocated per
/// update.
struct SyntheticWriter {
    let load: SyntheticLoad
    let table: StateTable
    let index: Int
    let monitor: CaptureMonitor
    let stop: StopFlag
    /// Updates between status publications and pacing checks, at most.
    static let batch: UInt64 = 4096

    /// Updates between pacing checks: about a millisecond's worth when paced (a steady
    /// load, not a burst of 4096 updates and a long sleep at low rates), else ``batch``.
    var pacedBatch: UInt64 {
        guard load.rate > 0 else { return Self.batch }
        return UInt64(max(1, min(Double(Self.batch), load.rate / 1000)))
    }

    /// Inserts, then updates; leaves `status.phase` at `.finished` (or `.stopped`).
    func run(status: inout CaptureStatus) {
        status.phase = .running
        monitor.publish(status, at: index)
        let now = DaemonClock.wallSeconds()
        for number in 0..<max(0, load.states) {
            if number % 65_536 == 0, stop.isRaised { break }
            table.insert(
                SyntheticStates.state(number, creatorID: load.creatorID, now: now),
                recordChange: load.replicateInserts)
        }
        table.changeSignal.poke()
        monitor.publish(status, at: index)
        if load.states > 0 { update(status: &status) }
        status.phase = stop.isRaised ? .stopped : .finished
        monitor.publish(status, at: index)
    }

    private func update(status: inout CaptureStatus) {
        var random = SyntheticRandom(seed: 0x5EED &+ UInt64(load.creatorID))
        let count = UInt64(load.states)
        let started = DaemonClock.monotonicNanos()
        let nanosPerUpdate = load.rate > 0 ? 1e9 / load.rate : 0
        var now = DaemonClock.wallSeconds()
        while status.packetsRead < load.updates, !stop.isRaised {
            let end = min(load.updates, status.packetsRead &+ pacedBatch)
            while status.packetsRead < end {
                let number = Int(random.next() % count)
                table.update(SyntheticStates.id(number, creatorID: load.creatorID)) { state in
                    SyntheticStates.forward(&state, bytes: 1460, now: now)
                }
                status.packetsRead &+= 1
            }
            table.changeSignal.poke()
            monitor.publish(status, at: index)
            now = DaemonClock.wallSeconds()
            if nanosPerUpdate > 0 { pace(started: started, done: status.packetsRead, nanosPerUpdate: nanosPerUpdate) }
        }
    }

    /// Sleeps until `done` updates are due.
    private func pace(started: UInt64, done: UInt64, nanosPerUpdate: Double) {
        let due = started &+ UInt64(Double(done) * nanosPerUpdate)
        let now = DaemonClock.monotonicNanos()
        guard due > now else { return }
        let wait = due - now
        var pause = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        _ = nanosleep(&pause, nil)
    }
}

/// SplitMix64: the writer's cheap, seeded pseudo-random state picker.
struct SyntheticRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
