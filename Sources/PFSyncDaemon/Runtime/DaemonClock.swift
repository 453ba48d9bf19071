#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two clocks the daemon runs on: a monotonic one in nanoseconds for the replication
/// engine's timers, and the wall clock in seconds that stamps states (the tracker's and the
/// engine's `stateNow`, so that both sides of the table agree on what "now" is).
public enum DaemonClock {
    /// Monotonic nanoseconds (CLOCK_MONOTONIC).
    public static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Wall-clock seconds since the epoch, as the table clock.
    public static func wallSeconds() -> UInt32 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt32(truncatingIfNeeded: spec.tv_sec)
    }
}
