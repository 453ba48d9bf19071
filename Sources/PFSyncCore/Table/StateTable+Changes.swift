import Synchronization

extension StateTable {
    /// Replication's "what changed since the last flush": appends one coalesced delta per
    /// changed state of shard `shard` to `deltas`, clears the shard's log and its urgent
    /// flag, and returns how many deltas it appended. O(changed states), not O(table).
    ///
    /// Coalescing (pfsync's rules), between two drains:
    /// - insert, then k updates: one `.insert` with `changes` = k + 1;
    /// - k updates: one `.update` with `changes` = k;
    /// - insert, then (updates and) delete: nothing at all (the peer never knew the state);
    /// - k updates (k >= 0), then delete: one `.delete` with `changes` = k + 1, carrying the
    ///   state as it was removed;
    /// - delete, then insert of the same id: a `.delete`, then an `.insert`. Deletes are
    ///   always appended before inserts and updates, which keeps every id's deltas in order
    ///   (a state's pending insert or update always belongs to a later life than its
    ///   pending delete).
    /// Changes made with `recordChange: false` leave the log as it was (a removal without
    /// recording still drops the state's pending delta). Insert and update deltas carry
    /// the state as it is at drain time. An out-of-range shard appends nothing.
    @discardableResult
    public func drainChanges(shard: Int, into deltas: inout [StateDelta]) -> Int {
        drainChanges(shard: shard, withBases: { kind, state, _, changes in
            deltas.append(StateDelta(kind: kind, state: state.pointee, changes: changes))
        })
    }

    /// Like ``drainChanges(shard:into:)``, but hands each coalesced delta to `body` instead
    /// of copying it into an array: `body` gets the kind, the state (for insert and update
    /// a pointer into the table, valid only during the call) and the number of coalesced
    /// changes. Same order and coalescing rules. `body` runs under the shard lock: keep it
    /// short and do not call into the table. Returns the number of deltas handed over.
    @discardableResult
    public func drainChanges(
        shard: Int, _ body: (StateDelta.Kind, UnsafePointer<PFState>, UInt32) -> Void
    ) -> Int {
        drainChanges(shard: shard, withBases: { kind, state, _, changes in body(kind, state, changes) })
    }

    /// True when some state reached `maxUpdates` coalesced changes since its shard was last
    /// drained (pfsync then sends at once). Reads one atomic flag per shard, takes no lock.
    /// It stays set until the shard is drained, even if that state is removed meanwhile.
    public var hasUrgentChanges: Bool {
        for shard in idShards where shard.urgent.load(ordering: .relaxed) {
            return true
        }
        return false
    }

    /// Shards whose urgent flag is set (see ``hasUrgentChanges``).
    public func urgentShards() -> [Int] {
        (0..<shardCount).filter { idShards[$0].urgent.load(ordering: .relaxed) }
    }

    /// Number of pending (undrained) deltas: states with a pending insert or update, plus
    /// pending deletes.
    public var pendingChangeCount: Int {
        var total = 0
        for shard in idShards {
            total += shard.storage.withLock { $0.pendingSlots + $0.deletions.count }
        }
        return total
    }
}
