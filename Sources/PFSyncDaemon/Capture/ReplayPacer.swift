#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds a capture replay to `rate` times the capture's own speed (0: no pacing).
struct ReplayPacer {
    private let rate: Double
    private var firstPacketMicros: Int64?
    private var startNanos: UInt64 = 0

    init(rate: Double) { self.rate = rate }

    /// Sleeps until the packet captured at `seconds`.`microseconds` is due.
    mutating func wait(seconds: Int64, microseconds: Int32) {
        guard rate > 0 else { return }
        let micros = seconds &* 1_000_000 &+ Int64(microseconds)
        guard let first = firstPacketMicros else {
            firstPacketMicros = micros
            startNanos = DaemonClock.monotonicNanos()
            return
        }
        let offset = Double(max(0, micros &- first)) * 1000 / rate
        guard offset < 1e15 else { return }
        let due = startNanos &+ UInt64(offset)
        let now = DaemonClock.monotonicNanos()
        guard due > now &+ 200_000 else { return }
        var pause = timespec(tv_sec: Int((due - now) / 1_000_000_000), tv_nsec: Int((due - now) % 1_000_000_000))
        _ = nanosleep(&pause, nil)
    }
}
