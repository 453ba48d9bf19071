import Testing
@testable import PFSyncCore

/// The table against ``StateTableModel`` under seeded random operations.
@Suite struct StateTableDifferentialTests {
    static let interfaces = [InterfaceName.empty, InterfaceName("em0"), InterfaceName("em1")]

    /// A random key from a pool small enough that clashes happen.
    static func randomKey(_ rng: inout SeededGenerator) -> StateKey {
        TableFixtures.key(rng.below(3000), port: rng.below(3))
    }

    static func randomState(_ rng: inout SeededGenerator, model: StateTableModel) -> PFState {
        let id = UInt64(rng.below(800))
        let creator = UInt32(1 + rng.below(2))
        var wire = randomKey(&rng)
        if rng.below(10) == 0, let other = model.randomState(&rng) {
            wire = rng.below(2) == 0 ? other.wireKey : other.stackKey
        }
        let stack = rng.below(2) == 0 ? wire : randomKey(&rng)
        var state = TableFixtures.state(
            id: id, creator: creator, wire: wire, stack: stack, proto: rng.below(4) == 0 ? 17 : 6,
            expire: UInt32(rng.below(12_000)))
        state.ifname = interfaces[rng.below(interfaces.count)]
        state.packets = CounterPair(UInt64(rng.below(1000)), 0)
        return state
    }

    static func randomChange(_ rng: inout SeededGenerator) -> (inout PFState) -> Void {
        let pick = rng.below(20)
        let value = rng.next()
        let key = randomKey(&rng)
        switch pick {
        case 0: return { $0.wireKey = key }
        case 1: return { $0.stackKey = key }
        case 2: return { $0.proto = $0.proto == 6 ? 17 : 6 }
        case 3: return { $0.identity = StateID(id: value, creatorID: 9) }
        case 4: return { $0.expire = UInt32(truncatingIfNeeded: value % 12_000) }
        default: return { $0.packets.forward &+= 1; $0.bytes.reverse &+= value & 0xFFFF }
        }
    }

    func run(seed: UInt64, shardCount: Int, operations: Int) {
        var rng = SeededGenerator(seed: seed)
        let table = StateTable(
            shardCount: shardCount, initialCapacityPerShard: 16, hashSeed: seed &* 31)
        var model = StateTableModel()
        var now: UInt32 = 0
        for step in 0..<operations {
            let pick = rng.below(100)
            switch pick {
            case 0..<26:
                let state = Self.randomState(&rng, model: model)
                let expected = model.insert(state)
                #expect(table.insert(state) == expected, "seed \(seed) step \(step) insert")
            case 26..<50:
                let id = Self.existingOrRandomID(&rng, model: model)
                let change = Self.randomChange(&rng)
                let expected = model.update(id, change)
                let applied = table.update(id) { state -> Bool in change(&state); return true }
                #expect((applied ?? false) == expected, "seed \(seed) step \(step) update")
            case 50..<57:
                guard let target = model.randomState(&rng) else { continue }
                let key = rng.below(2) == 0 ? target.wireLookupKey : target.stackLookupKey
                let change = Self.randomChange(&rng)
                _ = model.update(target.identity, change)
                let found = table.update(key: key) { state -> StateID in
                    let id = state.identity
                    change(&state)
                    return id
                }
                #expect(found == target.identity, "seed \(seed) step \(step) update by key")
            case 57..<70:
                let id = Self.existingOrRandomID(&rng, model: model)
                #expect(table.remove(id) == model.remove(id), "seed \(seed) step \(step) remove")
            case 70..<78:
                let state = Self.randomState(&rng, model: model)
                #expect(table.upsert(state) == model.upsert(state), "seed \(seed) step \(step) upsert")
            case 78..<97:
                let id = Self.existingOrRandomID(&rng, model: model)
                let expected = model.states[id]
                #expect(table.state(for: id) == expected)
                if let expected {
                    #expect(table.state(forKey: expected.wireLookupKey) == expected)
                    #expect(table.state(forKey: expected.stackLookupKey) == expected)
                    #expect(table.stateID(forKey: expected.stackLookupKey) == id)
                }
                let probe = StateLookupKey(key: Self.randomKey(&rng), proto: 6)
                #expect(table.state(forKey: probe) == model.state(forKey: probe))
            case 97..<99:
                now &+= UInt32(rng.below(400))
                var removed: [StateID] = []
                let count = table.expire(now: now, into: &removed)
                let expected = model.expire(now: now)
                #expect(count == expected.count && Set(removed) == expected, "seed \(seed) step \(step) expire")
            default:
                let creator = UInt32(1 + rng.below(2))
                let ifname = Self.interfaces[rng.below(Self.interfaces.count)]
                if rng.below(4) == 0 {
                    let expected = model.removeAll(creatorID: creator, ifname: ifname)
                    #expect(table.removeAll(creatorID: creator, ifname: ifname) == expected)
                }
            }
            if step % 500 == 0 {
                #expect(table.count == model.states.count, "seed \(seed) step \(step) count")
                #expect(table.invariantViolations() == [], "seed \(seed) step \(step)")
            }
        }
        let all = table.allStates()
        #expect(all.count == model.states.count)
        #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.identity, $0) }) == model.states)
        for (key, holder) in model.holders {
            #expect(table.stateID(forKey: key) == holder)
        }
        #expect(table.invariantViolations() == [])
    }

    static func existingOrRandomID(_ rng: inout SeededGenerator, model: StateTableModel) -> StateID {
        if rng.below(4) != 0, let state = model.randomState(&rng) {
            return state.identity
        }
        return StateID(id: UInt64(rng.below(800)), creatorID: UInt32(1 + rng.below(2)))
    }

    @Test(arguments: [(UInt64(1), 1), (2, 4), (3, 8), (4, 2)])
    func matchesDictionaryModel(seed: UInt64, shardCount: Int) {
        run(seed: seed, shardCount: shardCount, operations: 25_000)
    }
}
