import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pf state table: millions of ``PFState`` values, lock-sharded, indexed by id and by
/// both lookup keys, with pfsync's coalescing change log for replication.
///
/// ## Layout
/// A state lives in the *id shard* picked by the high bits of its id's seeded hash, in an
/// unsafe slab of states with an open-addressing id index (see `StateSlab`, `IDIndex`).
/// Its wire and stack lookup keys (one entry when equal) live in the *key shards* picked
/// by the hashes of the keys, in open-addressing indexes mapping the full key to the id
/// (`KeyIndex`). Every shard has its own `Mutex`.
///
/// ## Locking
/// A writer holds the state's id-shard lock for the whole operation and takes key-shard
/// locks inside it, one at a time. No thread ever holds two id-shard locks or two key-shard
/// locks, and a key-shard lock is never held while an id-shard lock is taken: so no
/// deadlock is possible, and every write (including its key index changes) is atomic with
/// respect to other writers of the same state.
///
/// A lookup by key takes the key-shard lock, reads the id, releases it, then takes the
/// id-shard lock. Between the two a writer may remove the state or change its keys; the
/// lookup then re-checks that the state it found really has the key and retries a few
/// times, so it never returns a state that does not hold the key — but a lookup that races
/// with a key change or a removal may report the state absent.
///
/// ## Closures
/// The closures given to the `update` methods run under the shard lock: they must be short,
/// must not do I/O, and must not call back into the table (that would deadlock).
///
/// ## Change log (pfsync coalescing)
/// Each state has at most one pending delta; see ``drainChanges(shard:into:)``.
public final class StateTable: Sendable {
    /// Number of id shards (and of key shards): a power of two.
    public let shardCount: Int
    /// Wakes the sender of this table's changes when a writer records one while it sleeps
    /// (writers outside the sender's thread poke it after their changes).
    public let changeSignal = ChangeSignal()
    /// `64 - log2(shardCount)`: shifting a hash right by this gives its shard.
    @usableFromInline let shardShift: UInt64
    @usableFromInline let hasher: TableHasher
    @usableFromInline let idShards: [IDShard]
    /// The same shards, unretained: the hot paths borrow a shard through
    /// `_withUnsafeGuaranteedRef` instead of retaining and releasing it (two atomic
    /// read-modify-writes per operation, which also stall the memory pipeline). Sound
    /// because `idShards` keeps every shard alive as long as the table.
    @usableFromInline let idShardRefs: [Unmanaged<IDShard>]
    @usableFromInline let keyShards: [KeyShard]
    /// The key shards, unretained, for the same reason as ``idShardRefs``.
    @usableFromInline let keyShardRefs: [Unmanaged<KeyShard>]

    /// The shard count used when none is given: the next power of two >= 4 x active cores.
    public static var defaultShardCount: Int {
        tableNextPowerOfTwo(4 * max(1, activeProcessorCount()))
    }

    /// Creates an empty table.
    ///
    /// - Parameters:
    ///   - shardCount: number of shards; nil means ``defaultShardCount``; other values are
    ///     rounded up to a power of two (at least 1, at most 65536).
    ///   - initialCapacityPerShard: states each shard holds before its first growth.
    ///   - maxUpdates: coalesced changes after which a state's pending delta is urgent
    ///     (``hasUrgentChanges``); at least 1.
    ///   - hashSeed: fixes the hash seed (reproducible placement for tests); nil picks a
    ///     random seed so that nobody can predict which ids or flows share a bucket.
    public init(
        shardCount: Int? = nil, initialCapacityPerShard: Int = 1024, maxUpdates: Int = 128,
        hashSeed: UInt64? = nil
    ) {
        let shards = min(tableNextPowerOfTwo(shardCount ?? Self.defaultShardCount), 1 << 16)
        self.shardCount = shards
        self.shardShift = UInt64(64 - shards.trailingZeroBitCount)
        self.hasher = TableHasher(seed: hashSeed ?? UInt64.random(in: .min ... .max))
        let capacity = min(max(initialCapacityPerShard, 16), 1 << 24)
        let limit = UInt32(clamping: max(1, maxUpdates))
        self.idShards = (0..<shards).map { _ in IDShard(capacity: capacity, maxUpdates: limit) }
        self.idShardRefs = idShards.map { Unmanaged.passUnretained($0) }
        self.keyShards = (0..<shards).map { _ in KeyShard(capacity: 2 * capacity) }
        self.keyShardRefs = keyShards.map { Unmanaged.passUnretained($0) }
    }

    /// Creates an empty table with room for `reservingStates` states (spread over the
    /// shards with a margin), its memory touched now, so that filling it (a backup's bulk
    /// update) neither grows a shard nor faults in pages. 0 reserves nothing special.
    public convenience init(
        shardCount: Int? = nil, reservingStates: Int, maxUpdates: Int = 128, hashSeed: UInt64? = nil
    ) {
        let shards = min(tableNextPowerOfTwo(shardCount ?? Self.defaultShardCount), 1 << 16)
        let perShard = reservingStates > 0 ? reservingStates / shards + reservingStates / shards / 8 + 64 : 1024
        self.init(shardCount: shards, initialCapacityPerShard: perShard, maxUpdates: maxUpdates, hashSeed: hashSeed)
        if reservingStates > 0 {
            for shard in idShards {
                shard.storage.withLock { $0.slab.prefault() }
            }
        }
    }

    /// The shard a hash belongs to.
    @inlinable @inline(__always)
    func shardIndex(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> shardShift)
    }

    /// The id shard holding (or due to hold) `id`, and the id's hash.
    @inlinable @inline(__always)
    func idShard(for id: StateID) -> (shard: IDShard, hash: UInt64) {
        let hash = hasher.hash(id)
        return (idShards[shardIndex(hash)], hash)
    }

    /// Runs `body` with the id shard of `hash` borrowed (no retain/release).
    @inlinable @inline(__always)
    func withIDShard<T>(hash: UInt64, _ body: (IDShard) -> T) -> T {
        idShardRefs[shardIndex(hash)]._withUnsafeGuaranteedRef { body($0) }
    }

    /// The id shard a state with `id` lives in: the value to pass as `shard` to
    /// ``copyStates(shard:from:max:end:skippingPeerStates:into:)`` and ``drainChanges(shard:into:)``.
    public func shard(of id: StateID) -> Int {
        shardIndex(hasher.hash(id))
    }

    /// Number of states.
    public var count: Int {
        var total = 0
        for shard in idShards {
            total += shard.storage.withLock { $0.slab.liveCount }
        }
        return total
    }

    /// Bytes allocated by the table's buffers (slabs, slot bookkeeping, id and key indexes,
    /// change logs). Grows in doublings, so between 1x and 2x of what the states need.
    public var memoryFootprint: Int {
        var total = 0
        for shard in idShards {
            total += shard.storage.withLock { $0.allocatedBytes }
        }
        for shard in keyShards {
            total += shard.storage.withLock { $0.allocatedBytes }
        }
        return total
    }
}

/// Cores currently available to this process.
private func activeProcessorCount() -> Int {
    #if canImport(Glibc) || canImport(Darwin)
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return online > 0 ? Int(online) : 1
    #else
    return 1
    #endif
}
