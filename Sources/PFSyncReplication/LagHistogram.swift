/// A log-linear histogram of latencies in microseconds (1 us to ~17 minutes) with
/// fixed storage: recording allocates nothing.
public struct LagHistogram: Sendable, Hashable {
    private static let subBuckets = 16
    private var buckets = [UInt64](repeating: 0, count: 32 * 16)
    /// Samples recorded.
    public private(set) var count: UInt64 = 0

    /// An empty histogram.
    public init() {}

    /// Records one latency.
    public mutating func record(microseconds value: UInt64) {
        buckets[Self.index(of: value)] &+= 1
        count &+= 1
    }

    /// The value below which a fraction `p` of the samples lie (an upper bound of the
    /// bucket), or nil when empty.
    public func percentile(_ p: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let target = UInt64((Double(count) * p).rounded(.up))
        var seen: UInt64 = 0
        for (index, bucketCount) in buckets.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= max(target, 1) { return Self.upperBound(of: index) }
        }
        return Self.upperBound(of: buckets.count - 1)
    }

    static func index(of value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount  // >= 4
        let shift = magnitude - 4
        let sub = Int((value >> UInt64(shift)) & 0xF)
        return min((magnitude - 3) * subBuckets + sub, 32 * subBuckets - 1)
    }

    static func upperBound(of index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let magnitude = index / subBuckets + 3
        let sub = UInt64(index % subBuckets)
        let shift = UInt64(magnitude - 4)
        return ((sub | 0x10) + 1) << shift - 1
    }
}
