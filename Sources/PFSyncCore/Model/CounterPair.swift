/// A pair of 64-bit counters, one per direction (pf's `packets[2]` / `bytes[2]`):
/// index 0 counts the direction the state was created in, index 1 the reverse.
public struct CounterPair: Hashable, Sendable {
    /// Direction 0.
    public var forward: UInt64
    /// Direction 1.
    public var reverse: UInt64

    /// Creates a pair.
    @inlinable
    public init(_ forward: UInt64 = 0, _ reverse: UInt64 = 0) {
        self.forward = forward
        self.reverse = reverse
    }

    /// Both counters zero.
    public static let zero = CounterPair()

    /// The later of two readings of one state's counters: a state's counters only grow
    /// (the node forwarding its packets counts them, and replication carries them on), so
    /// per direction the larger value is the later one. Replication merges counters this
    /// way, so that an older copy (a bulk state copied before a change arrived, a frame
    /// resent late) never takes them back.
    @inlinable
    public static func later(_ a: CounterPair, _ b: CounterPair) -> CounterPair {
        CounterPair(Swift.max(a.forward, b.forward), Swift.max(a.reverse, b.reverse))
    }
}
