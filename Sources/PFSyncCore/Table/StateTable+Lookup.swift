import Synchronization

extension StateTable {
    /// How often a lookup by key retries when the state it found no longer holds the key.
    @usableFromInline static var keyLookupAttempts: Int { 3 }

    /// The state with `id`, if any (a copy).
    @inlinable
    public func state(for id: StateID) -> PFState? {
        let hash = hasher.hash(id)
        return withIDShard(hash: hash) { shard in
            shard.storage.withLock { storage -> PFState? in
                let slot = storage.index.find(id, hash: hash)
                return slot < 0 ? nil : storage.slab.states[slot]
            }
        }
    }

    /// Whether a state with `id` exists.
    @inlinable
    public func contains(_ id: StateID) -> Bool {
        let (shard, hash) = idShard(for: id)
        return shard.storage.withLock { $0.index.find(id, hash: hash) >= 0 }
    }

    /// The id of the state whose wire key or stack key is `key`, if any.
    @inlinable
    public func stateID(forKey key: StateLookupKey) -> StateID? {
        let hash = hasher.hash(key)
        return withKeyShard(hash: hash) { shard in shard.storage.withLock { $0.find(key, hash: hash) } }
    }

    /// The state whose wire key or stack key is `key`, if any (a copy).
    @inlinable
    public func state(forKey key: StateLookupKey) -> PFState? {
        for _ in 0..<Self.keyLookupAttempts {
            guard let id = stateID(forKey: key) else { return nil }
            if let state = state(for: id),
                state.wireLookupKey.sameKey(as: key) || state.stackLookupKey.sameKey(as: key)
            {
                return state
            }
        }
        return nil
    }

    /// Every state, shard by shard (each shard is copied under its lock, so the result is
    /// a consistent snapshot per shard, not of the whole table). For tests and the CLI.
    public func allStates() -> [PFState] {
        var result: [PFState] = []
        result.reserveCapacity(count)
        for shard in idShards {
            shard.storage.withLock { storage in
                for slot in 0..<storage.slab.highWater where storage.slab.meta[slot].isLive {
                    result.append(storage.slab.states[slot])
                }
            }
        }
        return result
    }

    /// Bulk-transfer iteration: appends to `into` up to `max` states of shard `shard`,
    /// starting at `cursor` (opaque; start with 0), and returns the cursor to continue from,
    /// or nil when the shard is done. Holds the shard lock only during the call (it looks at
    /// no more than `16 * max` slots per call). States inserted or removed between calls
    /// may or may not be seen; a state present during the whole iteration is seen exactly
    /// once. An out-of-range shard returns nil. With `end` (the shard's mark from
    /// ``slotMarks()``), states inserted after the mark was taken are left out; with
    /// `skippingPeerStates`, so are the states marked as the replication peer's (see
    /// ``updateOrInsert(at:recordChange:fromPeer:mergingWith:)``).
    public func copyStates(
        shard: Int, from cursor: Int, max: Int, end: Int = .max, skippingPeerStates: Bool = false,
        into: inout [PFState]
    ) -> Int? {
        guard shard >= 0, shard < shardCount else { return nil }
        return idShards[shard].storage.withLock { storage -> Int? in
            let limit = Swift.min(storage.slab.highWater, end)
            var slot = Swift.max(0, cursor)
            let lastLook = Swift.min(limit, slot &+ Swift.max(1, max) &* 16)
            var copied = 0
            while slot < lastLook && copied < max {
                let meta = storage.slab.meta[slot]
                if meta.isLive && !(skippingPeerStates && meta.isFromPeer) {
                    into.append(storage.slab.states[slot])
                    copied += 1
                }
                slot += 1
            }
            return slot < limit ? slot : nil
        }
    }

    /// Unmarks every state marked as the replication peer's (the peer restarted, or
    /// another peer speaks now: what the marks said it holds is no longer known). Takes each
    /// shard lock in turn.
    public func clearPeerMarks() {
        for shard in idShards {
            shard.storage.withLock { storage in
                for slot in 0..<storage.slab.highWater { storage.slab.meta[slot].isFromPeer = false }
            }
        }
    }

    /// How many states are marked as the replication peer's.
    public func peerStateCount() -> Int {
        idShards.reduce(0) { total, shard in
            total + shard.storage.withLock { storage in
                (0..<storage.slab.highWater).reduce(0) { count, slot in
                    let meta = storage.slab.meta[slot]
                    return count + (meta.isLive && meta.isFromPeer ? 1 : 0)
                }
            }
        }
    }

    /// Per shard, the slots handed out so far: every state in the table now lies below its
    /// shard's mark, and ``copyStates(shard:from:max:end:skippingPeerStates:into:)`` up to the marks walks a
    /// snapshot's worth of states (a state inserted later gets a slot above the mark, or a
    /// freed one below it).
    public func slotMarks() -> [Int] {
        idShards.map { shard in shard.storage.withLock { $0.slab.highWater } }
    }
}
