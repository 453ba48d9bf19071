/// A growable array of trivial (plain old data) elements in one unsafe allocation: appends
/// amortise to no allocation, and clearing keeps the capacity, so a steady state allocates
/// nothing. Elements are never deinitialised (they hold no references).
///
/// Owned by the enclosing shard storage, which calls `deallocate()` from its deinit;
/// other copies are only views. (Not `~Copyable` with a deinit of its own: the Swift 6.3
/// optimiser crashes inlining such a deinit into a `@usableFromInline` setter.)
@usableFromInline
struct TrivialBuffer<Element> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    /// Creates an empty buffer with room for `capacity` elements (at least 1).
    init(capacity: Int) {
        precondition(_isPOD(Element.self), "TrivialBuffer holds plain old data only")
        let room = max(1, capacity)
        base = TableMemory.allocate(Element.self, count: room)
        count = 0
        self.capacity = room
    }

    /// Frees the allocation.
    func deallocate() {
        TableMemory.free(base)
    }

    /// Appends one element, doubling the allocation when full.
    @inlinable
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count &+= 1
    }

    /// Doubles the capacity.
    @usableFromInline
    mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = TableMemory.allocate(Element.self, count: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        TableMemory.free(base)
        base = newBase
        capacity = newCapacity
    }

    /// Forgets every element; keeps the allocation.
    @inlinable
    mutating func removeAll() {
        count = 0
    }

    /// Forgets the first `count` elements (all when `count` >= the count); the others move
    /// to the front in order.
    @inlinable
    mutating func removeFirst(_ count: Int) {
        guard count < self.count else {
            self.count = 0
            return
        }
        guard count > 0 else { return }
        let rest = self.count - count
        // Overlapping ranges: copyMemory moves like memmove.
        UnsafeMutableRawPointer(base).copyMemory(from: base + count, byteCount: rest * MemoryLayout<Element>.stride)
        self.count = rest
    }

    /// Bytes allocated.
    var allocatedBytes: Int { capacity * MemoryLayout<Element>.stride }
}
