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
        var cursor = DrainCursor()
        var handed = 0
        while !cursor.done { handed += drainChunk(shard: shard, cursor: &cursor, limit: .max, body) }
        return handed
    }

    /// ``drainChanges(shard:withBases:)`` for every shard, a chunk of each in turn: a
    /// packet waiting for one shard's lock gets it as soon as the drain moves on to the
    /// next shard (a drain that went on with the same shard would take the lock straight
    /// back, before the waiting thread noticed it free). Each shard's own order holds.
    ///
    /// With a `limit`, the drain stops once it has handed over that many deltas (pending
    /// deletes are always all handed over, so it may hand over more): the other changes
    /// stay pending, still coalescing, and the next drain goes on where this one stopped,
    /// so every changed state is reached in turn. A sender that may only send so much
    /// (flow control) drains no more than it can send.
    @discardableResult
    public func drainAllChanges(
        limit: Int = .max,
        withBases body: (StateDelta.Kind, UnsafePointer<PFState>, UnsafeMutablePointer<ReplicationBase>, UInt32) -> Void
    ) -> Int {
        drainAllChanges(limit: limit, withBases: body, betweenChunks: nil)
    }

    /// ``drainAllChanges(limit:withBases:)`` that also runs `betweenChunks` after each hold
    /// of a shard lock, with no lock held, so that tests can change the table exactly where
    /// a writer thread may: between two chunks of one drain.
    func drainAllChanges(
        limit: Int = .max,
        withBases body: (StateDelta.Kind, UnsafePointer<PFState>, UnsafeMutablePointer<ReplicationBase>, UInt32) -> Void,
        betweenChunks: ((_ shard: Int) -> Void)?
    ) -> Int {
        var handed = 0
        withUnsafeTemporaryAllocation(of: DrainCursor.self, capacity: shardCount) { cursors in
            cursors.initialize(repeating: DrainCursor())
            var open = shardCount
            while open > 0 {
                for shard in 0..<shardCount where !cursors[shard].done {
                    handed += drainChunk(shard: shard, cursor: &cursors[shard], limit: max(0, limit - handed), body)
                    if cursors[shard].done { open -= 1 }
                    betweenChunks?(shard)
                }
            }
        }
        return handed
    }

    /// One hold of `shard`'s lock: the deletions queued so far, then up to ``drainChunk``
    /// (and up to `limit` deltas in all) of the slots that were listed when the drain of
    /// the shard began. A drain that reaches its limit first ends there: the positions it
    /// has handed over are remembered (``IDShardStorage/drainedThrough``) and skipped next
    /// time. Positions are absolute (``IDShardStorage/listBase``): if another drain of the
    /// shard removed the front of the list in between, this one goes on after it.
    private func drainChunk(
        shard: Int, cursor: inout DrainCursor, limit: Int,
        _ body: (StateDelta.Kind, UnsafePointer<PFState>, UnsafeMutablePointer<ReplicationBase>, UInt32) -> Void
    ) -> Int {
        let target = idShards[shard]
        return target.storage.withLock { storage -> Int in
            let base = storage.listBase
            if cursor.end < 0 {
                cursor.end = base + storage.changedSlots.count
                cursor.next = max(storage.drainedThrough, base)
                cursor.first = cursor.next
                target.urgent.store(false, ordering: .relaxed)
            }
            // Deletions first, every round: a slot freed and reused by a new state is
            // handed over only after the delete of the state it held.
            var handed = 0
            var scratch = ReplicationBase.none
            for index in 0..<storage.deletions.count {
                let delta = storage.deletions.base + index
                withUnsafePointer(to: &delta.pointee.state) { body(.delete, $0, &scratch, delta.pointee.changes) }
                handed += 1
            }
            storage.deletions.removeAll()
            // Relative to the buffer from here on.
            let end = max(0, cursor.end - base)
            let from = max(0, cursor.next - base)
            let stop = min(end, from + Self.drainChunk)
            let slab = storage.slab
            let slots = storage.changedSlots.base
            // The changed slots are scattered over the slab: their lines are prefetched a
            // few slots ahead so that the misses overlap.
            let ahead = 6
            if cursor.next == cursor.first {
                for index in from..<min(from + ahead, end) { Self.prefetchSlot(Int(slots[index]), in: slab) }
            }
            var drained = 0
            var index = from
            while index < stop && handed + drained < limit {
                if index + ahead < end { Self.prefetchSlot(Int(slots[index + ahead]), in: slab) }
                let slot = Int(slots[index])
                index += 1
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
            cursor.next = base + index
            if index >= end {
                // Every position up to the drain's end is handed over (by this drain, an
                // earlier limited one, or one that overtook it): they leave the list.
                storage.changedSlots.removeFirst(end)
                storage.listBase = base + end
                cursor.done = true
            } else if handed + drained >= limit {
                storage.drainedThrough = max(storage.drainedThrough, cursor.next)
                cursor.done = true
            }
            return handed + drained
        }
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

/// Where a drain of one shard stands between two holds of its lock.
struct DrainCursor {
    /// The next position of the list to look at (absolute, see ``IDShardStorage/listBase``).
    var next = 0
    /// Where this drain began (after what an earlier, limited drain handed over).
    var first = 0
    /// The position after the last one listed when the drain began (-1: not begun).
    var end = -1
    /// All of them handed over.
    var done = false
}
