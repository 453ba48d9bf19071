/// What ``StateTable/updateOrInsert(_:recordChange:merge:)`` did.
public enum UpdateOrInsertOutcome<Merged> {
    /// A state with the id was there; `merge` ran on it and returned this.
    case updated(Merged)
    /// There was none; the state was added.
    case inserted
    /// There was none, and one of the state's lookup keys belongs to the state with this
    /// id; nothing changed.
    case keyConflict(StateID)
}

extension StateTable {
    /// Replication's apply of a full state (INS, UPD, bulk): runs `merge` on the state with
    /// `state.identity` when there is one (as ``update(_:recordChange:_:)`` would), or else
    /// inserts `state` (as ``insert(_:recordChange:)`` would). One lookup and one id-shard
    /// lock instead of an update attempt followed by an insert.
    ///
    /// `merge` runs under the shard lock (keep it short, do not call into the table). It
    /// must not change the identity, the keys or the protocol (doing so is undone for the
    /// identity and ignored by the key index).
    @inlinable @discardableResult
    public func updateOrInsert<R>(
        _ state: PFState, recordChange: Bool = false, fromPeer: Bool = false, merge: (inout PFState) -> R
    ) -> UpdateOrInsertOutcome<R> {
        withUnsafePointer(to: state) { updateOrInsert(at: $0, recordChange: recordChange, fromPeer: fromPeer, merge: merge) }
    }

    /// ``updateOrInsert(_:recordChange:merge:)`` of the state at `statePointer`, read where
    /// it lies (see ``updateOrInsert(at:recordChange:fromPeer:mergingWith:)``).
    @inlinable @discardableResult
    public func updateOrInsert<R>(
        at statePointer: UnsafePointer<PFState>, recordChange: Bool = false, fromPeer: Bool = false,
        merge: (inout PFState) -> R
    ) -> UpdateOrInsertOutcome<R> {
        var merged: R?
        switch updateOrInsert(
            at: statePointer, recordChange: recordChange, fromPeer: fromPeer, mergingWith: { merged = merge(&$0) })
        {
        case .updated:
            guard let merged else { preconditionFailure("updateOrInsert: merge did not run for an updated state") }
            return .updated(merged)
        case .inserted:
            return .inserted
        case .keyConflict(let holder):
            return .keyConflict(holder)
        }
    }

    /// ``updateOrInsert(_:recordChange:merge:)`` without a generic result (what it runs):
    /// not generic, so a caller in another module pays no generic metadata lookups per
    /// state (a bulk update calls it a million times).
    @discardableResult
    public func updateOrInsert(
        _ state: PFState, recordChange: Bool = false, fromPeer: Bool = false, mergingWith merge: (inout PFState) -> Void
    ) -> UpdateOrInsertOutcome<Void> {
        withUnsafePointer(to: state) {
            updateOrInsert(at: $0, recordChange: recordChange, fromPeer: fromPeer, mergingWith: merge)
        }
    }

    /// ``updateOrInsert(_:recordChange:mergingWith:)`` of the state at `state`, read where
    /// it lies: a state passed by value into another module is copied whole (384 bytes)
    /// first, which a bulk update would pay a million times.
    ///
    /// - Parameter fromPeer: the state came whole from the replication peer: an inserted
    ///   state is marked as the peer's until it changes here (``copyStates(shard:from:max:end:skippingPeerStates:into:)``
    ///   can leave it out of a bulk answer to that peer). An updated state keeps its mark.
    @discardableResult
    public func updateOrInsert(
        at statePointer: UnsafePointer<PFState>, recordChange: Bool = false, fromPeer: Bool = false,
        mergingWith merge: (inout PFState) -> Void
    ) -> UpdateOrInsertOutcome<Void> {
        let id = statePointer.pointee.identity
        let hash = hasher.hash(id)
        return withIDShard(hash: hash) { shard in
            shard.storage.withLock { storage -> UpdateOrInsertOutcome<Void> in
                let existing = storage.index.find(id, hash: hash)
                if existing >= 0 {
                    let local = storage.slab.states + existing
                    merge(&local.pointee)
                    if !local.pointee.identity.same(as: id) { local.pointee.identity = id }
                    if recordChange && storage.recordUpdate(existing) { shard.markUrgent() }
                    return .updated(())
                }
                if let holder = addLocked(
                    statePointer.pointee, hash: hash, to: &storage, of: shard, recordChange: recordChange,
                    fromPeer: fromPeer)
                {
                    return .keyConflict(holder)
                }
                return .inserted
            }
        }
    }
}
