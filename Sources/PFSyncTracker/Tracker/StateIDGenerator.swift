/// pf's state id scheme: a counter that starts at the boot time in the upper 32 bits
/// (`pf_status.stateid = time_second << 32`), so ids stay unique per creator across
/// restarts as long as the clock moves forward and fewer than 2^32 states are created
/// per second of uptime.
public struct StateIDGenerator: Sendable {
    /// The next id to hand out.
    public private(set) var next: UInt64

    /// Starts the counter at `startSeconds << 32` (plus one, so that 0 is never used:
    /// pfsync reserves id 0 with creator 0 for bulk requests).
    public init(startSeconds: UInt32) {
        self.next = (UInt64(startSeconds) << 32) | 1
    }

    /// Returns a fresh id.
    public mutating func make() -> UInt64 {
        let id = next
        next = next &+ 1
        if next == 0 { next = 1 }
        return id
    }
}
