@testable import PFSyncCore

/// The reference the table is tested against: a plain Dictionary of states and one of
/// key holders, implementing the documented semantics in the most direct way.
struct StateTableModel {
    var states: [StateID: PFState] = [:]
    var holders: [StateLookupKey: StateID] = [:]
    /// Live ids in a deterministic order (Dictionary order varies between runs).
    private(set) var ids: [StateID] = []
    private var positions: [StateID: Int] = [:]

    /// A live state picked with `rng`, reproducibly.
    func randomState(_ rng: inout SeededGenerator) -> PFState? {
        ids.isEmpty ? nil : states[ids[rng.below(ids.count)]]
    }

    static func keys(of state: PFState) -> [StateLookupKey] {
        let wire = state.wireLookupKey
        let stack = state.stackLookupKey
        return wire == stack ? [wire] : [wire, stack]
    }

    mutating func insert(_ state: PFState) -> InsertOutcome {
        if states[state.identity] != nil { return .duplicateID }
        for key in Self.keys(of: state) {
            if let holder = holders[key] { return .keyConflict(holder) }
        }
        add(state)
        return .inserted
    }

    private mutating func add(_ state: PFState) {
        states[state.identity] = state
        positions[state.identity] = ids.count
        ids.append(state.identity)
        for key in Self.keys(of: state) { holders[key] = state.identity }
    }

    /// Applies `change` like `StateTable.update`; returns false when absent.
    mutating func update(_ id: StateID, _ change: (inout PFState) -> Void) -> Bool {
        guard let old = states[id] else { return false }
        var new = old
        change(&new)
        new.identity = id
        let oldKeys = Self.keys(of: old)
        let newKeys = Self.keys(of: new)
        let clash = newKeys.contains { key in
            !oldKeys.contains(key) && holders[key] != nil && holders[key] != id
        }
        if clash {
            new.wireKey = old.wireKey
            new.stackKey = old.stackKey
            new.proto = old.proto
        } else {
            for key in oldKeys where !newKeys.contains(key) && holders[key] == id {
                holders[key] = nil
            }
            for key in newKeys { holders[key] = id }
        }
        states[id] = new
        return true
    }

    mutating func remove(_ id: StateID) -> PFState? {
        guard let state = states.removeValue(forKey: id) else { return nil }
        if let position = positions.removeValue(forKey: id) {
            let last = ids.removeLast()
            if position < ids.count {
                ids[position] = last
                positions[last] = position
            }
        }
        for key in Self.keys(of: state) where holders[key] == id { holders[key] = nil }
        return state
    }

    mutating func upsert(_ state: PFState) -> Bool {
        let id = state.identity
        let old = states[id]
        let oldKeys = old.map(Self.keys(of:)) ?? []
        let newKeys = Self.keys(of: state)
        var displaced: [(StateLookupKey, StateID)] = []
        for key in newKeys where !oldKeys.contains(key) {
            if let holder = holders[key], holder != id { displaced.append((key, holder)) }
            holders[key] = id
        }
        for key in oldKeys where !newKeys.contains(key) && holders[key] == id {
            holders[key] = nil
        }
        if old == nil {
            positions[id] = ids.count
            ids.append(id)
        }
        states[id] = state
        for (key, holder) in displaced {
            if let victim = states[holder], Self.keys(of: victim).contains(key) {
                _ = remove(holder)
            }
        }
        return old == nil
    }

    mutating func expire(now: UInt32) -> Set<StateID> {
        let due = ids.filter { states[$0]!.expire <= now }
        for id in due { _ = remove(id) }
        return Set(due)
    }

    mutating func removeAll(creatorID: UInt32, ifname: InterfaceName) -> Int {
        let doomed = ids.filter {
            $0.creatorID == creatorID && (ifname == .empty || states[$0]!.ifname == ifname)
        }
        for id in doomed { _ = remove(id) }
        return doomed.count
    }

    func state(forKey key: StateLookupKey) -> PFState? {
        holders[key].flatMap { states[$0] }
    }
}
