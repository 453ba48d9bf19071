import Synchronization

extension StateTable {
    /// Items per step of ``updateWithBases(count:id:scratch:_:)``'s pipeline.
    static let batchStep = 32

    /// Replication's batched apply: runs `body(index, state, base)` for the states with
    /// ids `id(0)..<id(count)`, with each state's received delta base, or with nil pointers
    /// for an id the table does not hold. No change is recorded.
    ///
    /// The items go through a three-stage pipeline, ``batchStep`` at a time: a step
    /// prefetches the index buckets of its items, finds the slots of the step before
    /// (whose buckets have had a whole step to arrive) and prefetches their states and
    /// bases, and applies the step before that. Each step takes each shard lock once.
    /// Steps are applied in order, and a step's items are grouped by shard keeping their
    /// order, so all items of one state keep their order; items of different shards may
    /// run in any order. `body` runs under the shard lock: keep it short, do not call into
    /// the table, and do not change a state's identity, keys or protocol.
    public func updateWithBases(
        count: Int, id: (Int) -> StateID, scratch: inout StateBatchScratch,
        _ body: (Int, UnsafeMutablePointer<PFState>?, UnsafeMutablePointer<ReplicationBase>?) -> Void
    ) {
        guard count > 0 else { return }
        scratch.prepare(count: count, shards: shardCount, steps: Self.pipelineDepth)
        let steps = (count + Self.batchStep - 1) / Self.batchStep
        scratch.withBuffers { buffers in
            for step in 0..<(steps + Self.pipelineDepth - 1) {
                if step < steps { plan(step: step, count: count, id: id, buffers) }
                for shard in 0..<shardCount {
                    let prefetching = step < steps ? buffers.items(step: step, shard: shard) : 0..<0
                    let finding = step >= 1 && step - 1 < steps ? buffers.items(step: step - 1, shard: shard) : 0..<0
                    let applying = step >= 2 ? buffers.items(step: step - 2, shard: shard) : 0..<0
                    if prefetching.isEmpty && finding.isEmpty && applying.isEmpty { continue }
                    idShards[shard].storage.withLock { storage in
                        Self.applyItems(&storage, range: applying, id: id, buffers, body)
                        Self.findAndPrefetch(storage, range: finding, id: id, buffers)
                        Self.prefetchBuckets(storage, range: prefetching, buffers)
                    }
                }
            }
        }
    }

    /// Stages of the pipeline: prefetch buckets, find and prefetch slots, apply.
    static let pipelineDepth = 3

    /// Hashes a step's ids and places its items by shard (stable), without a lock.
    private func plan(step: Int, count: Int, id: (Int) -> StateID, _ buffers: StateBatchBuffers) {
        let first = step * Self.batchStep
        let end = min(count, first + Self.batchStep)
        let ends = buffers.shardEnds(step: step)
        for shard in 0..<shardCount { ends[shard] = 0 }
        for index in first..<end {
            let hash = hasher.hash(id(index))
            buffers.hashes[index] = hash
            ends[shardIndex(hash)] &+= 1
        }
        var running = Int32(truncatingIfNeeded: first)
        for shard in 0..<shardCount {
            let items = ends[shard]
            ends[shard] = running
            running &+= items
        }
        for index in first..<end {
            let shard = shardIndex(buffers.hashes[index])
            buffers.order[Int(ends[shard])] = Int32(truncatingIfNeeded: index)
            ends[shard] &+= 1
        }
    }

    private static func prefetchBuckets(_ storage: borrowing IDShardStorage, range: Range<Int>, _ buffers: StateBatchBuffers) {
        for position in range {
            storage.index.prefetchBucket(hash: buffers.hashes[Int(buffers.order[position])])
        }
    }

    private static func findAndPrefetch(
        _ storage: borrowing IDShardStorage, range: Range<Int>, id: (Int) -> StateID, _ buffers: StateBatchBuffers
    ) {
        for position in range {
            let index = Int(buffers.order[position])
            let slot = storage.index.find(id(index), hash: buffers.hashes[index])
            buffers.slots[position] = Int32(truncatingIfNeeded: slot)
            if slot >= 0 { storage.slab.prefetchReplicated(slot, .received, stateForWrite: true) }
        }
    }

    /// The last stage, lock held: checks each slot found before (or finds it again) and
    /// runs `body`.
    private static func applyItems(
        _ storage: inout IDShardStorage, range: Range<Int>, id: (Int) -> StateID, _ buffers: StateBatchBuffers,
        _ body: (Int, UnsafeMutablePointer<PFState>?, UnsafeMutablePointer<ReplicationBase>?) -> Void
    ) {
        let slab = storage.slab
        for position in range {
            let index = Int(buffers.order[position])
            let identity = id(index)
            var slot = Int(buffers.slots[position])
            // A freed slot's identity is 0/0 (StateSlab.free), so the identity alone tells
            // whether the slot still holds the state (without touching the slot's meta).
            let stillThere = slot >= 0 && slot < slab.highWater && slab.states[slot].identity.same(as: identity)
            if !stillThere {
                slot = storage.index.find(identity, hash: buffers.hashes[index])
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
