import Synchronization

extension StateTable {
    /// Adds `state` unless its id or one of its lookup keys is already in the table.
    ///
    /// - Parameter recordChange: queue an insert delta for replication.
    @discardableResult
    public func insert(_ state: PFState, recordChange: Bool = true) -> InsertOutcome {
        let id = state.identity
        let hash = hasher.hash(id)
        return withIDShard(hash: hash) { shard in
            shard.storage.withLock { storage -> InsertOutcome in
                if storage.index.find(id, hash: hash) >= 0 { return .duplicateID }
                if let holder = addLocked(state, hash: hash, to: &storage, of: shard, recordChange: recordChange) {
                    return .keyConflict(holder)
                }
                return .inserted
            }
        }
    }

    /// Adds `state`, whose id the locked id shard `shard` (its `storage`) does not hold:
    /// claims its keys, stores it, indexes its id and records the insert. Returns the
    /// state holding one of its keys instead, when there is one (nothing is added then).
    /// `fromPeer` marks the state as the replication peer's (``SlotMeta/isFromPeer``).
    @usableFromInline
    func addLocked(
        _ state: PFState, hash: UInt64, to storage: inout IDShardStorage, of shard: IDShard, recordChange: Bool,
        fromPeer: Bool = false
    ) -> StateID? {
        let id = state.identity
        var displaced = DisplacedHolders()
        if let holder = reindexKeys(of: id, from: nil, to: LookupKeyPair(state), evicting: false, displaced: &displaced) {
            return holder
        }
        let slot = storage.slab.store(state)
        storage.index.insert(id, hash: hash, slot: slot, hasher: hasher)
        if fromPeer { storage.slab.meta[slot].isFromPeer = true }
        if recordChange && storage.recordInsert(slot) { shard.markUrgent() }
        return nil
    }

    /// Changes the state with `id` in place and returns what `body` returned, or nil (and
    /// `body` is not called) when there is no such state.
    ///
    /// `body` runs under the shard lock: keep it short, no I/O, no calls into the table.
    /// If it changes the state's identity, the identity is restored. If it changes the
    /// wire key, the stack key or the protocol, the key index follows; should a new key
    /// already belong to another state, the key change (keys and protocol) is undone and
    /// the other changes stay.
    ///
    /// - Parameter recordChange: count the change in the state's pending delta.
    @inlinable
    @discardableResult
    public func update<R>(
        _ id: StateID, recordChange: Bool = true, _ body: (inout PFState) -> R
    ) -> R? {
        let hash = hasher.hash(id)
        var result: R? = nil
        withIDShard(hash: hash) { shard in
            shard.storage.withLock { storage in
                let slot = storage.index.find(id, hash: hash)
                guard slot >= 0 else { return }
                result = applyUpdate(
                    &storage, shard: shard, slot: slot, id: id, recordChangeIf: { _ in recordChange }, body)
            }
        }
        return result
    }

    /// Like ``update(_:recordChange:_:)`` for the state whose wire key or stack key is
    /// `key`. Returns nil when no state holds the key.
    @inlinable
    @discardableResult
    public func update<R>(
        key: StateLookupKey, recordChange: Bool = true, _ body: (inout PFState) -> R
    ) -> R? {
        update(key: key, recordChangeIf: { _ in recordChange }, body)
    }

    /// Like ``update(key:recordChange:_:)``, but the change is recorded for replication
    /// only when `shouldRecord` says so for what `body` returned (for example not for a
    /// packet the tracker found out of window and left the state untouched for). Both
    /// closures run under the shard lock.
    @inlinable
    @discardableResult
    public func update<R>(
        key: StateLookupKey, recordChangeIf shouldRecord: (R) -> Bool, _ body: (inout PFState) -> R
    ) -> R? {
        for _ in 0..<Self.keyLookupAttempts {
            guard let id = stateID(forKey: key) else { return nil }
            let (shard, hash) = idShard(for: id)
            var result: R? = nil
            var found = false
            shard.storage.withLock { storage in
                let slot = storage.index.find(id, hash: hash)
                guard slot >= 0 else { return }
                let state = storage.slab.states + slot
                guard state.pointee.wireLookupKey.sameKey(as: key)
                    || state.pointee.stackLookupKey.sameKey(as: key)
                else { return }
                found = true
                result = applyUpdate(
                    &storage, shard: shard, slot: slot, id: id, recordChangeIf: shouldRecord, body)
            }
            if found { return result }
        }
        return nil
    }

    /// Runs an update closure on a located state, with its shard lock held.
    @inlinable @inline(__always)
    func applyUpdate<R>(
        _ storage: inout IDShardStorage, shard: IDShard, slot: Int, id: StateID,
        recordChangeIf shouldRecord: (R) -> Bool, _ body: (inout PFState) -> R
    ) -> R {
        let state = storage.slab.states + slot
        let wireKey = state.pointee.wireKey
        let stackKey = state.pointee.stackKey
        let proto = state.pointee.proto
        let result = body(&state.pointee)
        if !state.pointee.identity.same(as: id) { state.pointee.identity = id }
        if proto != state.pointee.proto
            || !StateLookupKey(key: wireKey, proto: 0).sameKey(
                as: StateLookupKey(key: state.pointee.wireKey, proto: 0))
            || !StateLookupKey(key: stackKey, proto: 0).sameKey(
                as: StateLookupKey(key: state.pointee.stackKey, proto: 0))
        {
            reindexAfterUpdate(state, wireKey: wireKey, stackKey: stackKey, proto: proto)
        }
        if shouldRecord(result) && storage.recordUpdate(slot) { shard.markUrgent() }
        return result
    }

    /// Insert-or-replace for replication: stores `state` wholesale under its id. Returns
    /// true when it was an insert.
    ///
    /// The peer's view wins key clashes: a lookup key of `state` held by another state is
    /// re-pointed to `state`, and the other state is then removed (with a delete recorded
    /// when `recordChange` is set). For a moment in between, that other state is in the
    /// table but not findable by that key.
    ///
    /// - Parameter recordChange: queue an insert or update delta (replicated states are
    ///   normally not sent back, hence false by default).
    @discardableResult
    public func upsert(_ state: PFState, recordChange: Bool = false) -> Bool {
        let id = state.identity
        let (shard, hash) = idShard(for: id)
        var displaced = DisplacedHolders()
        let inserted = shard.storage.withLock { storage -> Bool in
            let existing = storage.index.find(id, hash: hash)
            if existing >= 0 {
                let old = LookupKeyPair(storage.slab.states[existing])
                storage.slab.states[existing] = state
                _ = reindexKeys(
                    of: id, from: old, to: LookupKeyPair(state), evicting: true,
                    displaced: &displaced)
                if recordChange && storage.recordUpdate(existing) { shard.markUrgent() }
                return false
            }
            _ = reindexKeys(
                of: id, from: nil, to: LookupKeyPair(state), evicting: true, displaced: &displaced)
            let slot = storage.slab.store(state)
            storage.index.insert(id, hash: hash, slot: slot, hasher: hasher)
            if recordChange && storage.recordInsert(slot) { shard.markUrgent() }
            return true
        }
        if let (key, holder) = displaced.first {
            evict(holder, holding: key, recordChange: recordChange)
        }
        if let (key, holder) = displaced.second {
            evict(holder, holding: key, recordChange: recordChange)
        }
        return inserted
    }

    /// Removes the state with `id` and returns it, or nil when absent.
    ///
    /// - Parameter recordChange: queue a delete delta (dropping a pending insert instead:
    ///   the peer never learnt of the state).
    @discardableResult
    public func remove(_ id: StateID, recordChange: Bool = true) -> PFState? {
        let (shard, hash) = idShard(for: id)
        return shard.storage.withLock { storage -> PFState? in
            let slot = storage.index.find(id, hash: hash)
            guard slot >= 0 else { return nil }
            return removeLocked(&storage, slot: slot, hash: hash, recordChange: recordChange)
        }
    }

    /// pfsync CLR: removes every state created by `creatorID` (and bound to `ifname`,
    /// unless it is empty). Returns how many were removed. Scans the whole table, one
    /// shard lock at a time.
    @discardableResult
    public func removeAll(
        creatorID: UInt32, ifname: InterfaceName = .empty, recordChange: Bool = false
    ) -> Int {
        let anyInterface = ifname == .empty
        return removeWhere(
            limit: .max, recordChange: recordChange,
            matching: { state in
                state.identity.creatorID == creatorID && (anyInterface || state.ifname == ifname)
            },
            onRemoved: { _ in })
    }

    /// Expiry sweep: removes states whose ``PFState/expire`` is <= `now` (absolute seconds;
    /// a state with expire 0 is therefore always due), at most `limit`, appending their ids
    /// to `removed`. Records a delete for each, as pf sends DEL_C on expiry. Returns how
    /// many were removed. Scans the whole table, one shard lock at a time.
    @discardableResult
    public func expire(now: UInt32, limit: Int = .max, into removed: inout [StateID]) -> Int {
        removeWhere(
            limit: limit, recordChange: true, matching: { $0.expire <= now },
            onRemoved: { removed.append($0) })
    }

    /// Removes up to `limit` states matching `predicate`; both closures run under the shard
    /// locks. A shard lock is held for at most ``scanChunk`` slots at a time, so that the
    /// packet path waits microseconds, not the whole shard's scan (milliseconds with a
    /// large table), when a sweep passes. A state stored behind the scan meanwhile waits
    /// for the next sweep.
    private func removeWhere(
        limit: Int, recordChange: Bool, matching predicate: (PFState) -> Bool,
        onRemoved: (StateID) -> Void
    ) -> Int {
        var total = 0
        for shard in idShards where total < limit {
            var slot = 0
            var more = true
            while more && total < limit {
                shard.storage.withLock { storage in
                    let stop = min(storage.slab.highWater, slot + Self.scanChunk)
                    while slot < stop && total < limit {
                        if storage.slab.meta[slot].isLive && predicate(storage.slab.states[slot]) {
                            let id = storage.slab.states[slot].identity
                            _ = removeLocked(
                                &storage, slot: slot, hash: hasher.hash(id), recordChange: recordChange)
                            onRemoved(id)
                            total += 1
                        }
                        slot += 1
                    }
                    more = slot < storage.slab.highWater
                }
            }
        }
        return total
    }

    /// Slots a sweep (expiry, CLR) looks at per hold of a shard lock.
    static let scanChunk = 512
}
