import Synchronization

extension StateTable {
    /// Checks the table's internal consistency and returns a description of every
    /// violation found (empty when consistent). For tests; call it while no thread writes.
    ///
    /// Checked: each shard's live-slot count equals its id-index count; every live state is
    /// in the right shard and its id maps to its slot; every lookup key of every state maps
    /// to the state's id; the key indexes hold no other entries; pending counters match;
    /// every state with a pending change is listed where the next drain will reach it
    /// (after the prefix a limited drain already handed over).
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var expectedKeys = 0
        for (shardNumber, shard) in idShards.enumerated() {
            let states: [PFState] = shard.storage.withLock { storage in
                var live: [PFState] = []
                var pending = 0
                var waiting = Set<Int32>()
                let drained = storage.drainedThrough - storage.listBase
                if drained > storage.changedSlots.count {
                    problems.append("shard \(shardNumber): drained through \(drained) past the list")
                }
                for index in min(max(0, drained), storage.changedSlots.count)..<storage.changedSlots.count {
                    waiting.insert(storage.changedSlots.base[index])
                }
                for slot in 0..<storage.slab.highWater where storage.slab.meta[slot].isLive {
                    let state = storage.slab.states[slot]
                    live.append(state)
                    let hash = hasher.hash(state.identity)
                    if storage.index.find(state.identity, hash: hash) != slot {
                        problems.append("shard \(shardNumber): \(state.identity) not indexed at slot \(slot)")
                    }
                    if shardIndex(hash) != shardNumber {
                        problems.append("shard \(shardNumber): \(state.identity) in the wrong shard")
                    }
                    if storage.slab.meta[slot].pending != .none {
                        pending += 1
                        if !storage.slab.meta[slot].isListed || !waiting.contains(Int32(slot)) {
                            problems.append("shard \(shardNumber): \(state.identity) has a pending change no drain will reach")
                        }
                    }
                }
                if live.count != storage.slab.liveCount || live.count != storage.index.count {
                    problems.append(
                        "shard \(shardNumber): \(live.count) live, liveCount \(storage.slab.liveCount), index \(storage.index.count)"
                    )
                }
                if pending != storage.pendingSlots {
                    problems.append("shard \(shardNumber): \(pending) pending, counter \(storage.pendingSlots)")
                }
                return live
            }
            for state in states {
                let keys = LookupKeyPair(state)
                expectedKeys += keys.second == nil ? 1 : 2
                for key in [keys.first, keys.second].compactMap({ $0 }) {
                    let holder = stateID(forKey: key)
                    if holder != state.identity {
                        problems.append("key of \(state.identity) maps to \(String(describing: holder))")
                    }
                }
            }
        }
        let indexedKeys = keyShards.reduce(0) { total, shard in
            total + shard.storage.withLock { $0.count }
        }
        if indexedKeys != expectedKeys {
            problems.append("\(indexedKeys) key entries for \(expectedKeys) keys")
        }
        return problems
    }
}
