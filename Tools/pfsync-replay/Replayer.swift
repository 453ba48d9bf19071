#if canImport(Glibc)
import Glibc
#endif
import PFSyncDaemon

/// Feeds the capture (times `--scale`, `--loop` passes) to a feed socket in batches at the
/// chosen pace, hands every verdict of the new master to the session accounting, and
/// calls `failover` once when the failover point is reached.
final class Replayer {
    /// What happens at the failover point: returns the new master's feed client and the
    /// capture-time span (microseconds) the takeover covered.
    typealias Failover = () throws(ReplayError) -> (client: FeedClient, gapMicros: Int64)

    private let image: CaptureImage
    private let settings: ReplaySettings
    private var client: FeedClient
    private var batchSessions: [Int] = []
    private var afterFailover = false
    private let progress: ProgressBar
    var accounting: SessionAccounting

    /// Packets fed (to both masters).
    private(set) var packets = 0
    /// Packets fed before the failover (all of them when there is none).
    private(set) var packetsBeforeFailover = 0
    /// Packets whose capture time falls inside the takeover gap.
    private(set) var packetsInGap = 0
    /// Seconds from the first packet to the failover (or the end).
    private(set) var primarySeconds = 0.0
    /// Seconds from the first packet to the end.
    private(set) var totalSeconds = 0.0

    init(image: CaptureImage, settings: ReplaySettings, client: FeedClient, progress: ProgressBar) {
        self.image = image
        self.settings = settings
        self.client = client
        self.progress = progress
        accounting = SessionAccounting(sessions: image.sessions.count * settings.scale)
        batchSessions.reserveCapacity(settings.batchSize)
    }

    /// Packets in the whole replay, when it is bounded by `--loop`.
    var plannedPackets: Int? { settings.loops.map { $0 * image.frames.count * settings.scale } }

    /// Runs the replay; `failover` is called when the plan says so.
    func run(failover: Failover?) throws(ReplayError) {
        let scale = settings.scale
        let passGap = image.spanMicros + 1000
        let start = Clock.nanos()
        var anchorNanos = start
        var anchorMicros: Int64 = 0
        var anchorSequence = 0
        var failoverPacket = Int.max
        var failoverNanos = UInt64.max
        if let plan = settings.failover, failover != nil {
            switch plan.point {
            case .fraction(let fraction):
                if let planned = plannedPackets {
                    failoverPacket = Int(Double(planned) * fraction)
                } else if let duration = settings.duration {
                    failoverNanos = start &+ UInt64(duration * fraction * 1e9)
                }
            case .seconds(let seconds):
                failoverNanos = start &+ UInt64(seconds * 1e9)
            }
        }
        let deadline = settings.duration.map { start &+ UInt64($0 * 1e9) } ?? UInt64.max
        var pass = 0
        replay: while settings.loops.map({ pass < $0 }) ?? true {
            for frameIndex in image.frames.indices {
                let frame = image.frames[frameIndex]
                let captureMicros = frame.offsetMicros &+ Int64(pass) &* passGap
                for copy in 0..<scale {
                    var now = Clock.nanos()
                    if now >= deadline { break replay }
                    if !afterFailover, let failover, packets >= failoverPacket || now >= failoverNanos {
                        try flush()
                        packetsBeforeFailover = packets
                        primarySeconds = Double(now &- start) / 1e9
                        let (newClient, gapMicros) = try failover()
                        client = newClient
                        afterFailover = true
                        packetsInGap = countInGap(fromFrame: frameIndex, copy: copy, gapMicros: gapMicros)
                        now = Clock.nanos()
                        anchorNanos = now
                        anchorMicros = captureMicros
                        anchorSequence = packets
                    }
                    let due = dueNanos(
                        anchorNanos: anchorNanos, micros: captureMicros &- anchorMicros, sequence: packets &- anchorSequence)
                    if due > now &+ 200_000 {
                        try flush()
                        Clock.sleep(until: due)
                    }
                    client.add(
                        image.bytes[frame.offset..<(frame.offset + frame.length)], seconds: frame.seconds,
                        microseconds: frame.microseconds
                    ) { bytes, start in
                        guard copy != 0 else { return }
                        let size = Int(frame.addressSize)
                        if frame.addressPair >= 0 {
                            AddressScaler.rewritePair(&bytes, at: start + Int(frame.addressPair), size: size, copy: copy)
                        }
                        if frame.quotedPair >= 0 {
                            AddressScaler.rewritePair(&bytes, at: start + Int(frame.quotedPair), size: size, copy: copy)
                        }
                    }
                    batchSessions.append(frame.session >= 0 ? Int(frame.session) * scale + copy : -1)
                    packets += 1
                    if client.pending >= settings.batchSize { try flush() }
                }
            }
            pass += 1
        }
        try flush()
        let end = Clock.nanos()
        totalSeconds = Double(end &- start) / 1e9
        if !afterFailover {
            packetsBeforeFailover = packets
            primarySeconds = totalSeconds
        }
        progress.finish()
    }

    /// Sends the pending batch and accounts its verdicts.
    private func flush() throws(ReplayError) {
        guard client.pending > 0 else { return }
        try client.flush()
        if afterFailover {
            for (index, verdict) in client.verdicts.enumerated() where index < batchSessions.count {
                accounting.observe(verdict: verdict, session: batchSessions[index])
            }
        }
        batchSessions.removeAll(keepingCapacity: true)
        progress.update(packets: packets, planned: plannedPackets)
    }

    private func dueNanos(anchorNanos: UInt64, micros: Int64, sequence: Int) -> UInt64 {
        switch settings.pacing {
        case .maximum:
            return 0
        case .speed(let speed):
            return anchorNanos &+ UInt64(max(0, Double(micros) * 1000 / speed))
        case .packetsPerSecond(let rate):
            return anchorNanos &+ UInt64(max(0, Double(sequence) * 1e9 / rate))
        }
    }

    /// Packets from the failover point on whose capture time is within `gapMicros` of it.
    private func countInGap(fromFrame first: Int, copy: Int, gapMicros: Int64) -> Int {
        let limit = image.frames[first].offsetMicros &+ gapMicros
        var count = settings.scale - copy
        var index = first + 1
        while index < image.frames.count, image.frames[index].offsetMicros <= limit {
            count += settings.scale
            index += 1
        }
        return count
    }
}

/// The monotonic clock.
enum Clock {
    static func nanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    static func sleep(until due: UInt64) {
        let now = nanos()
        guard due > now else { return }
        var pause = timespec(tv_sec: Int((due - now) / 1_000_000_000), tv_nsec: Int((due - now) % 1_000_000_000))
        _ = nanosleep(&pause, nil)
    }
}
