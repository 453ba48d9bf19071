import Synchronization

/// What one id shard guards: its states, their id index and their pending changes.
///
/// `@unchecked Sendable` because it owns unsafe buffers. Invariant that makes it sound: a
/// value lives only inside its shard's `Mutex` and is touched only within `withLock`, so
/// its buffers are never reachable from two threads at once. (The conformance lets update
/// closures, which are not `Sendable`, run on the locked state without the region checker
/// merging the closure's region into the mutex's.)
@usableFromInline
struct IDShardStorage: ~Copyable, @unchecked Sendable {
    /// The states, by slot.
    @usableFromInline var slab: StateSlab
    /// id -> slot.
    @usableFromInline var index: IDIndex
    /// Slots whose state may have a pending insert or update (see ``SlotMeta/isListed``).
    @usableFromInline var changedSlots: TrivialBuffer<Int32>
    /// Pending deletes, each with a copy of the removed state, in the order they happened.
    @usableFromInline var deletions: TrivialBuffer<StateDelta>
    /// Live slots whose pending change is not `.none`.
    @usableFromInline var pendingSlots: Int
    /// Positions in ``changedSlots`` are counted from the shard's start (absolute): entry
    /// `i` of the buffer is position `listBase + i`. A drain remembers positions across
    /// holds of the lock, and another drain may remove the front of the list meanwhile
    /// (only what it handed over): absolute positions stay right.
    @usableFromInline var listBase: Int
    /// Positions before this one were handed over by a drain stopped by its limit: the
    /// next drain goes on after them (they leave the list when a drain reaches its end, so
    /// a limited drain costs no shifting of the rest).
    @usableFromInline var drainedThrough: Int
    /// Changes after which a state's pending delta is urgent.
    @usableFromInline let maxUpdates: UInt32

    init(capacity: Int, maxUpdates: UInt32, hint: BucketHint) {
        slab = StateSlab(capacity: capacity)
        index = IDIndex(expected: capacity, hint: hint)
        changedSlots = TrivialBuffer(capacity: 64)
        deletions = TrivialBuffer(capacity: 16)
        pendingSlots = 0
        listBase = 0
        drainedThrough = 0
        self.maxUpdates = maxUpdates
    }

    deinit {
        slab.deallocate()
        index.deallocate()
        changedSlots.deallocate()
        deletions.deallocate()
    }

    /// Notes that the state in `slot` was just inserted. Returns true when it is urgent.
    @inlinable
    mutating func recordInsert(_ slot: Int) -> Bool {
        let meta = slab.meta + slot
        meta.pointee.pending = .insert
        meta.pointee.changes = 1
        meta.pointee.isFromPeer = false
        pendingSlots &+= 1
        if !meta.pointee.isListed {
            meta.pointee.isListed = true
            changedSlots.append(Int32(truncatingIfNeeded: slot))
        }
        return 1 >= maxUpdates
    }

    /// Notes one more change of the state in `slot`. Returns true when it is urgent.
    @inlinable
    mutating func recordUpdate(_ slot: Int) -> Bool {
        let meta = slab.meta + slot
        // Changed here: the peer no longer holds it as it is.
        meta.pointee.isFromPeer = false
        if meta.pointee.pending == .none {
            meta.pointee.pending = .update
            meta.pointee.changes = 1
            pendingSlots &+= 1
            if !meta.pointee.isListed {
                meta.pointee.isListed = true
                changedSlots.append(Int32(truncatingIfNeeded: slot))
            }
        } else if meta.pointee.changes < UInt32.max {
            meta.pointee.changes &+= 1
        }
        return meta.pointee.changes >= maxUpdates
    }

    /// Settles the log for the state in `slot`, which is about to be freed: a pending insert
    /// is dropped (the peer never knew the state); otherwise, when `record` is set, a delete
    /// carrying `state` is queued (coalescing a pending update into it).
    @inlinable
    mutating func recordRemoval(_ slot: Int, state: PFState, record: Bool) {
        let meta = slab.meta + slot
        let pending = meta.pointee.pending
        if pending != .none { pendingSlots &-= 1 }
        if record && pending != .insert {
            let prior = pending == .update ? meta.pointee.changes : 0
            let changes = prior < UInt32.max ? prior &+ 1 : prior
            deletions.append(StateDelta(kind: .delete, state: state, changes: changes))
        }
        meta.pointee.pending = .none
        meta.pointee.changes = 0
    }

    /// Bytes allocated by this shard's buffers.
    var allocatedBytes: Int {
        slab.allocatedBytes + index.allocatedBytes + changedSlots.allocatedBytes
            + deletions.allocatedBytes
    }
}

/// One lock-guarded id shard. `urgent` is set (under the lock) when some state reached
/// `maxUpdates` changes and cleared by a drain; it is read without the lock.
@usableFromInline
final class IDShard: Sendable {
    @usableFromInline let storage: Mutex<IDShardStorage>
    @usableFromInline let urgent: Atomic<Bool>
    /// Where the id index's buckets are (for prefetching without the lock).
    let hint: BucketHint

    init(capacity: Int, maxUpdates: UInt32) {
        let hint = BucketHint()
        storage = Mutex(IDShardStorage(capacity: capacity, maxUpdates: maxUpdates, hint: hint))
        urgent = Atomic(false)
        self.hint = hint
    }

    /// Raises the urgent flag (cheap when already raised).
    @inlinable
    func markUrgent() {
        if !urgent.load(ordering: .relaxed) { urgent.store(true, ordering: .relaxed) }
    }
}

/// One lock-guarded key shard: a part of the lookup-key index.
@usableFromInline
final class KeyShard: Sendable {
    @usableFromInline let storage: Mutex<KeyIndex>

    /// Where the key index's buckets are (for prefetching without the lock).
    let hint: BucketHint

    init(capacity: Int) {
        let hint = BucketHint()
        storage = Mutex(KeyIndex(expected: capacity, hint: hint))
        self.hint = hint
    }
}
