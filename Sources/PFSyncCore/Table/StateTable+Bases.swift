import CMemoryHints
import Synchronization

extension StateTable {
    /// Like ``drainChanges(shard:_:)``, and `body` also gets the state's sent delta base
    /// (``ReplicationBase``, ``ReplicationBase/Side/sent``) to read and update: the sender of delta updates encodes
    /// each update against it and moves it on. For a delete the base pointer is a scratch
    /// value (the slot is gone). Same order, coalescing and locking rules: `body` runs under
    /// the shard lock; keep it short and do not call into the table.
    @discardableResult
    public func drainChanges(
        shard: Int,
        withBases body: (StateDelta.Kind, UnsafePointer<PFState>, UnsafeMutablePointer<ReplicationBase>, UInt32) -> Void
    ) -> Int {
        guard shard >= 0, shard < shardCount else { return 0 }
        let target = idShards[shard]
        // The lock is held for at most `drainChunk` slots at a time, so that the packet
        // path, which updates states of this shard meanwhile, waits a few microseconds at
        // most (it spins instead of sleeping in the kernel). The drain covers the slots
        // listed when it began; what is listed later waits for the next drain.
        var handed = 0
        var cursor = 0
        var end = -1
        var done = false
        while !done {
            target.storage.withLock { storage in
                if end < 0 {
                    end = storage.changedSlots.count
                    target.urgent.store(false, ordering: .relaxed)
                }
                // Deletions first, every round: a slot freed and reused by a new state is
                // handed over only after the delete of the state it held.
                var scratch = ReplicationBase.none
                for index in 0..<storage.deletions.count {
                    let delta = storage.deletions.base + index
                    withUnsafePointer(to: &delta.pointee.state) { body(.delete, $0, &scratch, delta.pointee.changes) }
                    handed += 1
                }
                storage.deletions.removeAll()
                let stop = min(end, cursor + Self.drainChunk)
                let slab = storage.slab
                let slots = storage.changedSlots.base
                // The changed slots are scattered over the slab: their lines are prefetched
                // a few slots ahead so that the misses overlap.
                let ahead = 6
                if cursor == 0 {
                    for index in 0..<min(ahead, end) { Self.prefetchSlot(Int(slots[index]), in: slab) }
                }
                var drained = 0
                for index in cursor..<stop {
                    if index + ahead < end { Self.prefetchSlot(Int(slots[index + ahead]), in: slab) }
                    let slot = Int(slots[index])
                    let meta = slab.meta + slot
                    meta.pointee.isListed = false
                    guard meta.pointee.isLive, meta.pointee.pending != .none else { continue }
                    let kind: StateDelta.Kind = meta.pointee.pending == .insert ? .insert : .update
                    body(kind, UnsafePointer(slab.states + slot), slab.base(slot, .sent), meta.pointee.changes)
                    meta.pointee.pending = .none
                    meta.pointee.changes = 0
                    drained += 1
                }
                storage.pendingSlots &-= drained
                handed += drained
                cursor = stop
                if cursor >= end {
                    storage.changedSlots.removeFirst(end)
                    done = true
                }
            }
        }
        return handed
    }

    /// Slots a drain hands over per hold of a shard lock.
    static let drainChunk = 32

    /// Starts loading what a drain reads of `slot`: its meta, the state's replicated fields
    /// and its sent base.
    @inline(__always)
    static func prefetchSlot(_ slot: Int, in slab: StateSlab) {
        pfsyncd_prefetch_for_write(slab.meta + slot)
        slab.prefetchReplicated(slot, .sent, stateForWrite: false)
    }

    /// Runs `body` on the state with `id` and its delta-encoding base of `side`, under the
    /// shard lock, without recording a change (replication applying what the peer sent, or
    /// dropping the base it sends against). Returns
    /// nil when there is no such state. `body` must not change the state's identity, keys
    /// or protocol, and must not call into the table.
    @inlinable @discardableResult
    public func updateWithBase<R>(
        _ id: StateID, side: ReplicationBase.Side, _ body: (inout PFState, inout ReplicationBase) -> R
    ) -> R? {
        let (shard, hash) = idShard(for: id)
        return shard.storage.withLock { storage -> R? in
            let slot = storage.index.find(id, hash: hash)
            guard slot >= 0 else { return nil }
            let state = storage.slab.states + slot
            let result = body(&state.pointee, &storage.slab.base(slot, side).pointee)
            if !state.pointee.identity.same(as: id) { state.pointee.identity = id }
            return result
        }
    }
}
