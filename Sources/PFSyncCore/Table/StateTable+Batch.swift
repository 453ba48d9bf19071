import Synchronization

extension StateTable {
    /// Replication's batched apply: runs `body(index, state, base)` for the states with
    /// ids `id(0)..<id(count)`, with each state's received delta base, or with nil pointers
    /// for an id the table does not hold. No change is recorded.
    ///
    /// The batch is grouped by shard (each shard lock is taken once), and the index
    /// buckets, then the states and bases, are prefetched before any is used, so that the
    /// cache misses of the whole batch overlap instead of following one another. Items of
    /// one shard, and so all items of one state, keep their order; items of different
    /// shards may run in any order. `body` runs under the shard lock: keep it short, do not
    /// call into the table, and do not change a state's identity, keys or protocol.
    public func updateWithBases(
        count: Int, id: (Int) -> StateID, scratch: inout StateBatchScratch,
        _ body: (Int, UnsafeMutablePointer<PFState>?, UnsafeMutablePointer<ReplicationBase>?) -> Void
    ) {
        guard count > 0 else { return }
        scratch.prepare(count: count, shards: shardCount)
        // Hash every id and count the items per shard.
        for index in 0..<count {
            let hash = hasher.hash(id(index))
            scratch.hashes[index] = hash
            scratch.shardEnds[shardIndex(hash)] &+= 1
        }
        // Prefix sums, then a stable placement of the items by shard.
        var running: Int32 = 0
        for shard in 0..<shardCount {
            let items = scratch.shardEnds[shard]
            scratch.shardEnds[shard] = running
            running &+= items
        }
        for index in 0..<count {
            let shard = shardIndex(scratch.hashes[index])
            let position = Int(scratch.shardEnds[shard])
            scratch.order[position] = Int32(truncatingIfNeeded: index)
            scratch.shardEnds[shard] &+= 1
        }
        // Three rounds over the shards, each lock held for one round only: prefetch every
        // bucket of the batch, then find every slot and prefetch its state and base, then
        // apply. Each round's misses overlap those of the whole batch. A slot found in the
        // second round is checked again in the third (the lock was let go in between).
        for round in 0..<3 {
            var start = 0
            for shard in 0..<shardCount {
                let end = Int(scratch.shardEnds[shard])
                guard end > start else { continue }
                idShards[shard].storage.withLock { storage in
                    switch round {
                    case 0: Self.prefetchBuckets(storage, range: start..<end, scratch: scratch)
                    case 1: Self.findAndPrefetch(storage, range: start..<end, id: id, scratch: &scratch)
                    default: Self.applyBatch(&storage, range: start..<end, id: id, scratch: scratch, body)
                    }
                }
                start = end
            }
        }
    }

    private static func prefetchBuckets(_ storage: borrowing IDShardStorage, range: Range<Int>, scratch: StateBatchScratch) {
        for position in range {
            storage.index.prefetchBucket(hash: scratch.hashes[Int(scratch.order[position])])
        }
    }

    private static func findAndPrefetch(
        _ storage: borrowing IDShardStorage, range: Range<Int>, id: (Int) -> StateID, scratch: inout StateBatchScratch
    ) {
        for position in range {
            let index = Int(scratch.order[position])
            let slot = storage.index.find(id(index), hash: scratch.hashes[index])
            scratch.slots[position] = Int32(truncatingIfNeeded: slot)
            if slot >= 0 { storage.slab.prefetchReplicated(slot, .received, stateForWrite: true) }
        }
    }

    /// The last round, lock held: checks each slot found before (or finds it again) and
    /// runs `body`.
    private static func applyBatch(
        _ storage: inout IDShardStorage, range: Range<Int>, id: (Int) -> StateID,
        scratch: StateBatchScratch,
        _ body: (Int, UnsafeMutablePointer<PFState>?, UnsafeMutablePointer<ReplicationBase>?) -> Void
    ) {
        let slab = storage.slab
        for position in range {
            let index = Int(scratch.order[position])
            let identity = id(index)
            var slot = Int(scratch.slots[position])
            // A freed slot's identity is 0/0 (StateSlab.free), so the identity alone tells
            // whether the slot still holds the state (without touching the slot's meta).
            let stillThere = slot >= 0 && slot < slab.highWater && slab.states[slot].identity.same(as: identity)
            if !stillThere {
                slot = storage.index.find(identity, hash: scratch.hashes[index])
            }
            guard slot >= 0 else {
                body(index, nil, nil)
                continue
            }
            let state = slab.states + slot
            body(index, state, slab.base(slot, .received))
            if !state.pointee.identity.same(as: identity) { state.pointee.identity = identity }
        }
    }
}

extension StateBatchScratch {
    /// Sizes the arrays for `count` items over `shards` shards and zeroes the shard counts.
    mutating func prepare(count: Int, shards: Int) {
        if hashes.count < count {
            hashes = [UInt64](repeating: 0, count: count)
            order = [Int32](repeating: 0, count: count)
            slots = [Int32](repeating: 0, count: count)
        }
        if shardEnds.count != shards {
            shardEnds = [Int32](repeating: 0, count: shards)
        } else {
            for shard in 0..<shards { shardEnds[shard] = 0 }
        }
    }
}
