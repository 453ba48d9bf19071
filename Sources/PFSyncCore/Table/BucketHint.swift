import CMemoryHints
import Synchronization

/// Where an index's bucket array is, readable without the shard's lock, so that a batch
/// can prefetch the buckets it will probe without taking (and fencing on) every shard
/// lock first.
///
/// A hint only: the index publishes its array and mask whenever it (re)allocates, and a
/// reader may combine an old array with a new mask, or read an array that was just freed.
/// Either way the worst outcome is a useless prefetch: a prefetch never faults and never
/// changes memory, and nothing ever reads through the hint.
@usableFromInline
final class BucketHint: Sendable {
    private let base = Atomic<UInt>(0)
    private let mask = Atomic<Int>(0)

    init() {}

    /// Records where the buckets are now (called under the shard lock).
    func publish(_ entries: UnsafeRawPointer, mask: Int) {
        self.mask.store(mask, ordering: .relaxed)
        base.store(UInt(bitPattern: entries), ordering: .relaxed)
    }

    /// Starts loading the bucket where a probe for `hash` begins, `stride` bytes per bucket.
    @inline(__always)
    func prefetch(hash: UInt64, stride: Int) {
        let address = base.load(ordering: .relaxed)
        guard let entries = UnsafeRawPointer(bitPattern: address) else { return }
        let position = Int(truncatingIfNeeded: hash) & mask.load(ordering: .relaxed)
        pfsyncd_prefetch(entries + position &* stride)
    }
}
