import Synchronization

/// A state's distinct lookup keys: the wire key, and the stack key when it differs.
@usableFromInline
struct LookupKeyPair {
    @usableFromInline var first: StateLookupKey
    @usableFromInline var second: StateLookupKey?

    @inlinable
    init(_ state: PFState) {
        first = state.wireLookupKey
        let stack = state.stackLookupKey
        second = stack.sameKey(as: first) ? nil : stack
    }

    @inlinable
    func contains(_ key: StateLookupKey) -> Bool {
        if first.sameKey(as: key) { return true }
        if let second { return second.sameKey(as: key) }
        return false
    }
}

/// Keys that an upsert took away from other states, whose holders are to be evicted once
/// the upserting shard's lock is released.
@usableFromInline
struct DisplacedHolders {
    @usableFromInline var first: (key: StateLookupKey, holder: StateID)?
    @usableFromInline var second: (key: StateLookupKey, holder: StateID)?

    @inlinable
    init() {}

    @inlinable
    mutating func append(_ key: StateLookupKey, _ holder: StateID) {
        if first == nil { first = (key, holder) } else { second = (key, holder) }
    }
}

extension StateTable {
    /// Runs `body` with the key shard of a key hash borrowed (no retain/release, see
    /// ``idShardRefs``).
    @inlinable @inline(__always)
    func withKeyShard<T>(hash: UInt64, _ body: (KeyShard) -> T) -> T {
        keyShardRefs[shardIndex(hash)]._withUnsafeGuaranteedRef { body($0) }
    }

    /// Moves `id`'s key index entries from `old` to `new` keys (nil: none). Called with the
    /// id's shard lock held; takes key-shard locks one at a time.
    ///
    /// Without `evicting`, a new key held by another state is a conflict: the keys claimed
    /// so far are given back, nothing else changes, and the holder is returned. With
    /// `evicting`, the key is taken from its holder, which is appended to `displaced`.
    @usableFromInline
    func reindexKeys(
        of id: StateID, from old: LookupKeyPair?, to new: LookupKeyPair?, evicting: Bool,
        displaced: inout DisplacedHolders
    ) -> StateID? {
        if let new {
            var claimedFirst = false
            if old?.contains(new.first) != true {
                switch place(new.first, for: id, evicting: evicting, displaced: &displaced) {
                case .added: claimedFirst = true
                case .alreadyOwned: break
                case .conflict(let holder): return holder
                }
            }
            if let second = new.second, old?.contains(second) != true {
                if case .conflict(let holder) = place(second, for: id, evicting: evicting, displaced: &displaced) {
                    if claimedFirst { removeKey(new.first, ifHeldBy: id) }
                    return holder
                }
            }
        }
        if let old {
            if new?.contains(old.first) != true { removeKey(old.first, ifHeldBy: id) }
            if let second = old.second, new?.contains(second) != true {
                removeKey(second, ifHeldBy: id)
            }
        }
        return nil
    }

    /// Claims (or, evicting, assigns) one key for `id`.
    private func place(
        _ key: StateLookupKey, for id: StateID, evicting: Bool, displaced: inout DisplacedHolders
    ) -> KeyIndex.Claim {
        let hash = hasher.hash(key)
        if evicting {
            let previous = withKeyShard(hash: hash) { shard in shard.storage.withLock { $0.assign(key, hash: hash, to: id) } }
            if let previous { displaced.append(key, previous) }
            return .added
        }
        return withKeyShard(hash: hash) { shard in shard.storage.withLock { $0.claim(key, hash: hash, for: id) } }
    }

    /// Removes one key entry if `id` holds it.
    @usableFromInline
    func removeKey(_ key: StateLookupKey, ifHeldBy id: StateID) {
        let hash = hasher.hash(key)
        withKeyShard(hash: hash) { shard in shard.storage.withLock { _ = $0.remove(key, hash: hash, ifHeldBy: id) } }
    }

    /// Re-indexes a state whose keys an update closure changed, with the id's shard lock
    /// held. When a new key is held by another state the key change is undone (`old` keys
    /// and protocol are put back into the state); the closure's other changes stay.
    @usableFromInline
    func reindexAfterUpdate(
        _ state: UnsafeMutablePointer<PFState>, wireKey: StateKey, stackKey: StateKey, proto: UInt8
    ) {
        var before = state.pointee
        before.wireKey = wireKey
        before.stackKey = stackKey
        before.proto = proto
        var displaced = DisplacedHolders()
        let conflict = reindexKeys(
            of: before.identity, from: LookupKeyPair(before), to: LookupKeyPair(state.pointee),
            evicting: false, displaced: &displaced)
        if conflict != nil {
            state.pointee.wireKey = wireKey
            state.pointee.stackKey = stackKey
            state.pointee.proto = proto
        }
    }

    /// Removes the state in `slot` of a locked id shard: id index, slab, change log and key
    /// entries. Returns the removed state.
    @usableFromInline
    func removeLocked(
        _ storage: inout IDShardStorage, slot: Int, hash: UInt64, recordChange: Bool
    ) -> PFState {
        let state = storage.slab.states[slot]
        _ = storage.index.remove(state.identity, hash: hash, hasher: hasher)
        storage.recordRemoval(slot, state: state, record: recordChange)
        storage.slab.free(slot)
        var unused = DisplacedHolders()
        _ = reindexKeys(
            of: state.identity, from: LookupKeyPair(state), to: nil, evicting: false,
            displaced: &unused)
        return state
    }

    /// Removes `holder` if it still holds `key` (an upsert took the key from it).
    @usableFromInline
    func evict(_ holder: StateID, holding key: StateLookupKey, recordChange: Bool) {
        let (shard, hash) = idShard(for: holder)
        shard.storage.withLock { storage in
            let slot = storage.index.find(holder, hash: hash)
            guard slot >= 0 else { return }
            let state = storage.slab.states[slot]
            guard state.wireLookupKey.sameKey(as: key) || state.stackLookupKey.sameKey(as: key) else {
                return
            }
            _ = removeLocked(&storage, slot: slot, hash: hash, recordChange: recordChange)
        }
    }
}
