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
}
