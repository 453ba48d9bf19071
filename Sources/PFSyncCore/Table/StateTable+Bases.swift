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
        return target.storage.withLock { storage -> Int in
            var handed = 0
            var scratch = ReplicationBase.none
            for index in 0..<storage.deletions.count {
                let delta = storage.deletions.base + index
                withUnsafePointer(to: &delta.pointee.state) { body(.delete, $0, &scratch, delta.pointee.changes) }
                handed += 1
            }
            let changed = storage.changedSlots.count
            let slab = storage.slab
            // The changed slots are scattered over the slab: their lines are prefetched a
            // few slots ahead so that the misses overlap.
            let ahead = 6
            for index in 0..<min(ahead, changed) {
                Self.prefetchSlot(Int(storage.changedSlots.base[index]), in: slab)
            }
            for index in 0..<changed {
                if index + ahead < changed {
                    Self.prefetchSlot(Int(storage.changedSlots.base[index + ahead]), in: slab)
                }
                let slot = Int(storage.changedSlots.base[index])
                let meta = slab.meta + slot
                meta.pointee.isListed = false
                guard meta.pointee.isLive, meta.pointee.pending != .none else { continue }
                let kind: StateDelta.Kind = meta.pointee.pending == .insert ? .insert : .update
                body(kind, UnsafePointer(slab.states + slot), slab.base(slot, .sent), meta.pointee.changes)
                meta.pointee.pending = .none
                meta.pointee.changes = 0
                handed += 1
            }
            storage.deletions.removeAll()
            storage.changedSlots.removeAll()
            storage.pendingSlots = 0
            target.urgent.store(false, ordering: .relaxed)
            return handed
        }
    }

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
