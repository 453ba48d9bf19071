import CMemoryHints

/// Open-addressing index from a full lookup key to the id of the state that holds it:
/// linear probing over a power-of-two array, backward-shift deletion, grown by doubling
/// when more than 3/4 full.
///
/// Each entry keeps the whole key (so a probe is answered without touching any state) and
/// the low 31 bits of the key's hash with the top bit set as its tag: the tag gives the
/// entry's home bucket when deletion shifts entries back, and 0 marks an empty bucket.
@usableFromInline
struct KeyIndex: ~Copyable {
    /// One bucket: 56 bytes of key, id and tag, padded to one whole cache line (the
    /// buckets are line-aligned, see ``TableMemory``). Unpadded, 7 of 8 buckets straddled
    /// two lines, so a probe that missed the cache usually missed twice, and a prefetch of
    /// the bucket's first byte left its second line cold (a bulk update probes two keys
    /// per state).
    @usableFromInline
    struct Entry {
        @usableFromInline var key: StateLookupKey
        @usableFromInline var id: StateID
        @usableFromInline var tag: UInt32
        @usableFromInline var padding: UInt64 = 0

        @inlinable
        init(key: StateLookupKey, id: StateID, tag: UInt32) {
            self.key = key
            self.id = id
            self.tag = tag
        }
    }

    /// What ``claim(_:hash:for:)`` did.
    @usableFromInline
    enum Claim {
        /// The key was free and now belongs to the id.
        case added
        /// The key already belonged to the id.
        case alreadyOwned
        /// The key belongs to another state.
        case conflict(StateID)
    }

    @usableFromInline var entries: UnsafeMutablePointer<Entry>
    @usableFromInline var mask: Int
    @usableFromInline var count: Int
    /// Told where the buckets are whenever they move (owned by the shard, which outlives
    /// the index: no reference counting on the index's copies).
    @usableFromInline unowned(unsafe) let hint: BucketHint

    /// Creates an index with room for about `expected` keys before it grows.
    init(expected: Int, hint: BucketHint) {
        self.hint = hint
        let capacity = tableNextPowerOfTwo(max(16, expected + expected / 3 + 1))
        entries = TableMemory.allocate(Entry.self, count: capacity)
        Self.clear(entries, count: capacity)
        mask = capacity - 1
        count = 0
        hint.publish(entries, mask: mask)
    }

    deinit {
        TableMemory.free(entries)
    }

    private static func clear(_ buffer: UnsafeMutablePointer<Entry>, count: Int) {
        let empty = Entry(key: StateLookupKey(key: .zero, proto: 0), id: StateID(id: 0, creatorID: 0), tag: 0)
        buffer.initialize(repeating: empty, count: count)
    }

    /// The tag of a hash: never 0, low 31 bits kept (the home bucket for up to 2^31 buckets).
    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash) | 0x8000_0000
    }

    /// The bucket holding `key`, or -1.
    @inlinable
    func position(of key: StateLookupKey, hash: UInt64) -> Int {
        let tag = Self.tag(hash)
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entryTag = entries[position].tag
            if entryTag == 0 { return -1 }
            if entryTag == tag && entries[position].key.sameKey(as: key) { return position }
            position = (position &+ 1) & mask
        }
    }

    /// The id holding `key`.
    @inlinable
    func find(_ key: StateLookupKey, hash: UInt64) -> StateID? {
        let position = position(of: key, hash: hash)
        return position < 0 ? nil : entries[position].id
    }

    /// Gives `key` to `id` unless another state holds it.
    @inlinable
    mutating func claim(_ key: StateLookupKey, hash: UInt64, for id: StateID) -> Claim {
        let existing = position(of: key, hash: hash)
        if existing >= 0 {
            let owner = entries[existing].id
            return owner.same(as: id) ? .alreadyOwned : .conflict(owner)
        }
        add(key, hash: hash, id: id)
        return .added
    }

    /// Gives `key` to `id` whoever held it; returns the previous holder when it was another
    /// state.
    @inlinable
    mutating func assign(_ key: StateLookupKey, hash: UInt64, to id: StateID) -> StateID? {
        let existing = position(of: key, hash: hash)
        if existing >= 0 {
            let owner = entries[existing].id
            entries[existing].id = id
            return owner.same(as: id) ? nil : owner
        }
        add(key, hash: hash, id: id)
        return nil
    }

    /// Removes `key` if `id` holds it; returns whether it did.
    @inlinable
    @discardableResult
    mutating func remove(_ key: StateLookupKey, hash: UInt64, ifHeldBy id: StateID) -> Bool {
        let found = position(of: key, hash: hash)
        guard found >= 0, entries[found].id.same(as: id) else { return false }
        var hole = found
        var probe = found
        while true {
            probe = (probe &+ 1) & mask
            let tag = entries[probe].tag
            if tag == 0 { break }
            let home = Int(tag & 0x7FFF_FFFF) & mask
            if (probe &- home) & mask >= (probe &- hole) & mask {
                entries[hole] = entries[probe]
                hole = probe
            }
        }
        entries[hole].tag = 0
        count &-= 1
        return true
    }

    /// Inserts a key known to be absent.
    @usableFromInline
    mutating func add(_ key: StateLookupKey, hash: UInt64, id: StateID) {
        if (count &+ 1) &* 4 > (mask &+ 1) &* 3 { grow() }
        var position = Int(truncatingIfNeeded: hash) & mask
        while entries[position].tag != 0 {
            position = (position &+ 1) & mask
        }
        entries[position] = Entry(key: key, id: id, tag: Self.tag(hash))
        count &+= 1
    }

    /// Doubles the bucket array; homes come from the tags, so nothing is rehashed.
    @usableFromInline
    mutating func grow() {
        precondition(mask < 1 << 30, "state table key shard is full")
        let oldEntries = entries
        let oldCapacity = mask &+ 1
        let newCapacity = oldCapacity * 2
        entries = TableMemory.allocate(Entry.self, count: newCapacity)
        Self.clear(entries, count: newCapacity)
        mask = newCapacity - 1
        hint.publish(entries, mask: mask)
        for index in 0..<oldCapacity {
            let entry = oldEntries[index]
            if entry.tag == 0 { continue }
            var position = Int(entry.tag & 0x7FFF_FFFF) & mask
            while entries[position].tag != 0 {
                position = (position &+ 1) & mask
            }
            entries[position] = entry
        }
        TableMemory.free(oldEntries)
    }

    /// Bytes allocated.
    var allocatedBytes: Int { (mask + 1) * MemoryLayout<Entry>.stride }
}
