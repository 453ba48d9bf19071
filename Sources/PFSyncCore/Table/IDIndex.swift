import CMemoryHints

/// Open-addressing index from state id to slab slot: linear probing over a power-of-two
/// array of 16-byte entries, backward-shift deletion (no tombstones), grown by doubling
/// when more than 3/4 full. The id is stored in the entry, so a probe never touches the slab.
///
/// Owned by the enclosing shard storage, which calls `deallocate()` from its deinit;
/// other copies are only views. (Not `~Copyable` with a deinit of its own: the Swift 6.3
/// optimiser crashes inlining such a deinit into a `@usableFromInline` setter.)
@usableFromInline
struct IDIndex {
    /// One bucket; `slotPlusOne == 0` marks it empty.
    @usableFromInline
    struct Entry {
        @usableFromInline var id: UInt64
        @usableFromInline var creatorID: UInt32
        @usableFromInline var slotPlusOne: UInt32

        @inlinable
        init(id: UInt64, creatorID: UInt32, slotPlusOne: UInt32) {
            self.id = id
            self.creatorID = creatorID
            self.slotPlusOne = slotPlusOne
        }
    }

    @usableFromInline var entries: UnsafeMutablePointer<Entry>
    @usableFromInline var mask: Int
    @usableFromInline var count: Int
    /// Told where the buckets are whenever they move (owned by the shard, which outlives
    /// the index: no reference counting on the index's copies).
    @usableFromInline unowned(unsafe) let hint: BucketHint

    /// Creates an index with room for about `expected` ids before it grows.
    init(expected: Int, hint: BucketHint) {
        self.hint = hint
        let capacity = tableNextPowerOfTwo(max(16, expected + expected / 3 + 1))
        entries = TableMemory.allocate(Entry.self, count: capacity)
        entries.initialize(repeating: Entry(id: 0, creatorID: 0, slotPlusOne: 0), count: capacity)
        mask = capacity - 1
        count = 0
        hint.publish(entries, mask: mask)
    }

    /// Frees the allocation.
    func deallocate() {
        TableMemory.free(entries)
    }

    /// The slot of `id`, or -1.
    @inlinable @inline(__always)
    func find(_ id: StateID, hash: UInt64) -> Int {
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = entries[position]
            if entry.slotPlusOne == 0 { return -1 }
            if entry.id == id.id && entry.creatorID == id.creatorID {
                return Int(entry.slotPlusOne) &- 1
            }
            position = (position &+ 1) & mask
        }
    }

    /// Starts loading the bucket where a probe for `hash` begins (a hint only).
    @inline(__always)
    func prefetchBucket(hash: UInt64) {
        pfsyncd_prefetch(entries + (Int(truncatingIfNeeded: hash) & mask))
    }

    /// Adds `id` (which must be absent) at `slot`.
    @inlinable
    mutating func insert(_ id: StateID, hash: UInt64, slot: Int, hasher: TableHasher) {
        if (count &+ 1) &* 4 > (mask &+ 1) &* 3 { grow(hasher: hasher) }
        var position = Int(truncatingIfNeeded: hash) & mask
        while entries[position].slotPlusOne != 0 {
            position = (position &+ 1) & mask
        }
        entries[position] = Entry(
            id: id.id, creatorID: id.creatorID, slotPlusOne: UInt32(truncatingIfNeeded: slot &+ 1))
        count &+= 1
    }

    /// Removes `id`; returns its slot or -1 when absent.
    @inlinable
    mutating func remove(_ id: StateID, hash: UInt64, hasher: TableHasher) -> Int {
        var hole = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = entries[hole]
            if entry.slotPlusOne == 0 { return -1 }
            if entry.id == id.id && entry.creatorID == id.creatorID { break }
            hole = (hole &+ 1) & mask
        }
        let slot = Int(entries[hole].slotPlusOne) &- 1
        // Backward shift: pull later members of the cluster into the hole when their home
        // position does not lie cyclically in (hole, probe].
        var probe = hole
        while true {
            probe = (probe &+ 1) & mask
            let entry = entries[probe]
            if entry.slotPlusOne == 0 { break }
            let home = Int(truncatingIfNeeded: hasher.hash(StateID(id: entry.id, creatorID: entry.creatorID))) & mask
            let distanceToHome = (probe &- home) & mask
            let distanceToHole = (probe &- hole) & mask
            if distanceToHome >= distanceToHole {
                entries[hole] = entry
                hole = probe
            }
        }
        entries[hole].slotPlusOne = 0
        count &-= 1
        return slot
    }

    /// Doubles the bucket array and reinserts every entry.
    @usableFromInline
    mutating func grow(hasher: TableHasher) {
        let oldEntries = entries
        let oldCapacity = mask &+ 1
        let newCapacity = oldCapacity * 2
        entries = TableMemory.allocate(Entry.self, count: newCapacity)
        entries.initialize(repeating: Entry(id: 0, creatorID: 0, slotPlusOne: 0), count: newCapacity)
        mask = newCapacity - 1
        hint.publish(entries, mask: mask)
        for index in 0..<oldCapacity {
            let entry = oldEntries[index]
            if entry.slotPlusOne == 0 { continue }
            let hash = hasher.hash(StateID(id: entry.id, creatorID: entry.creatorID))
            var position = Int(truncatingIfNeeded: hash) & mask
            while entries[position].slotPlusOne != 0 {
                position = (position &+ 1) & mask
            }
            entries[position] = entry
        }
        TableMemory.free(oldEntries)
    }

    /// Bytes allocated.
    var allocatedBytes: Int { (mask + 1) * MemoryLayout<Entry>.stride }
}
