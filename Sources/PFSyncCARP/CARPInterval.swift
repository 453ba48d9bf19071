/// An advertisement interval, advbase + advskew/256 seconds, counted in 1/256 s.
public struct CARPInterval: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The interval in 1/256 s.
    public var ticks: UInt32

    /// advbase seconds plus advskew/256 s.
    public init(advbase: UInt8, advskew: UInt8) {
        ticks = UInt32(advbase) << 8 | UInt32(advskew)
    }

    /// The master-down time: `multiplier` x advbase + advskew/256 (CARP uses 3).
    public static func masterDown(advbase: UInt8, advskew: UInt8, multiplier: UInt32 = 3) -> CARPInterval {
        var interval = CARPInterval(advbase: 0, advskew: advskew)
        interval.ticks &+= UInt32(advbase) &* multiplier &* 256
        return interval
    }

    /// The interval in nanoseconds.
    public var nanoseconds: UInt64 { UInt64(ticks) * 1_000_000_000 / 256 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.ticks < rhs.ticks }

    /// Seconds with three decimals.
    public var description: String {
        let millis = UInt64(ticks) * 1000 / 256
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
