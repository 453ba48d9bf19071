import Testing
@testable import PFSyncCore

/// Single-threaded behaviour of the table's API.
@Suite struct StateTableAPITests {
    @Test func shardCountIsRoundedUpToAPowerOfTwo() {
        #expect(StateTable(shardCount: 5).shardCount == 8)
        #expect(StateTable(shardCount: 0).shardCount == 1)
        #expect(StateTable(shardCount: 16).shardCount == 16)
        let defaultCount = StateTable.defaultShardCount
        #expect(defaultCount >= 4 && defaultCount & (defaultCount - 1) == 0)
        #expect(StateTable().shardCount == defaultCount)
    }

    @Test func aFixedSeedPlacesStatesReproducibly() {
        let a = StateTable(shardCount: 64, hashSeed: 123)
        let b = StateTable(shardCount: 64, hashSeed: 123)
        let ids = (0..<200).map { StateID(id: UInt64($0), creatorID: 3) }
        #expect(ids.map(a.shard(of:)) == ids.map(b.shard(of:)))
        #expect(Set(ids.map(a.shard(of:))).count > 32, "ids spread over the shards")
    }

    @Test func insertReportsDuplicatesAndKeyConflictsOnEitherKey() {
        let table = StateTable(shardCount: 4, hashSeed: 1)
        let first = TableFixtures.state(id: 1, wire: TableFixtures.key(1), stack: TableFixtures.key(2))
        #expect(table.insert(first) == .inserted)
        #expect(table.insert(first) == .duplicateID)
        let wireClash = TableFixtures.state(id: 2, wire: TableFixtures.key(1))
        #expect(table.insert(wireClash) == .keyConflict(first.identity))
        let stackClash = TableFixtures.state(id: 3, wire: TableFixtures.key(3), stack: TableFixtures.key(2))
        #expect(table.insert(stackClash) == .keyConflict(first.identity))
        #expect(table.stateID(forKey: stackClash.wireLookupKey) == nil, "a failed insert claims nothing")
        let otherProtocol = TableFixtures.state(id: 4, wire: TableFixtures.key(1), proto: 17)
        #expect(table.insert(otherProtocol) == .inserted, "the protocol is part of the key")
        #expect(table.count == 2)
        #expect(table.invariantViolations() == [])
    }

    @Test func lookupsByWireAndStackKey() {
        let table = StateTable(shardCount: 2, hashSeed: 2)
        let natted = TableFixtures.state(id: 9, wire: TableFixtures.key(10), stack: TableFixtures.key(11))
        table.insert(natted)
        #expect(table.state(forKey: natted.wireLookupKey) == natted)
        #expect(table.state(forKey: natted.stackLookupKey) == natted)
        #expect(table.stateID(forKey: StateLookupKey(key: TableFixtures.key(12), proto: 6)) == nil)
        #expect(table.update(key: natted.stackLookupKey) { $0.packets.reverse = 5 } != nil)
        #expect(table.state(for: natted.identity)?.packets.reverse == 5)
        #expect(table.update(key: StateLookupKey(key: TableFixtures.key(12), proto: 6)) { _ in 1 } == nil)
        #expect(table.update(StateID(id: 77, creatorID: 1)) { _ in 1 } == nil)
    }

    @Test func updateRestoresIdentityAndFollowsKeyChanges() {
        let table = StateTable(shardCount: 2, hashSeed: 3)
        let state = TableFixtures.state(id: 5, wire: TableFixtures.key(5))
        table.insert(state)
        table.update(state.identity) { $0.identity = StateID(id: 6, creatorID: 6) }
        #expect(table.state(for: state.identity)?.identity == state.identity)
        #expect(table.state(for: StateID(id: 6, creatorID: 6)) == nil)

        table.update(state.identity) { $0.stackKey = TableFixtures.key(50) }
        #expect(table.stateID(forKey: StateLookupKey(key: TableFixtures.key(50), proto: 6)) == state.identity)
        #expect(table.stateID(forKey: state.wireLookupKey) == state.identity)
        table.update(state.identity) { $0.wireKey = TableFixtures.key(51); $0.stackKey = TableFixtures.key(51) }
        #expect(table.stateID(forKey: state.wireLookupKey) == nil)
        #expect(table.stateID(forKey: StateLookupKey(key: TableFixtures.key(50), proto: 6)) == nil)
        #expect(table.state(forKey: StateLookupKey(key: TableFixtures.key(51), proto: 6))?.identity == state.identity)
        #expect(table.invariantViolations() == [])
    }

    @Test func aKeyChangeOntoAnotherStatesKeyIsUndone() {
        let table = StateTable(shardCount: 2, hashSeed: 4)
        let a = TableFixtures.state(id: 1, wire: TableFixtures.key(1))
        let b = TableFixtures.state(id: 2, wire: TableFixtures.key(2))
        table.insert(a)
        table.insert(b)
        table.update(a.identity) { $0.wireKey = TableFixtures.key(2); $0.packets.forward = 8 }
        let after = table.state(for: a.identity)
        #expect(after?.wireKey == a.wireKey)
        #expect(after?.packets.forward == 8)
        #expect(table.stateID(forKey: b.wireLookupKey) == b.identity)
        #expect(table.invariantViolations() == [])
    }

    @Test func upsertReplacesAndEvictsTheOldHolderOfAKey() {
        let table = StateTable(shardCount: 2, hashSeed: 5)
        let old = TableFixtures.state(id: 1, wire: TableFixtures.key(1), stack: TableFixtures.key(9))
        table.insert(old)
        var replacement = old
        replacement.packets = CounterPair(7, 7)
        #expect(!table.upsert(replacement))
        #expect(table.state(for: old.identity) == replacement)
        let newcomer = TableFixtures.state(id: 2, wire: TableFixtures.key(1))
        #expect(table.upsert(newcomer))
        #expect(table.state(for: old.identity) == nil, "the stale holder of the key is gone")
        #expect(table.stateID(forKey: old.stackLookupKey) == nil)
        #expect(table.state(forKey: newcomer.wireLookupKey) == newcomer)
        #expect(table.invariantViolations() == [])
    }

    @Test func expireHonoursItsLimitAndRemovesOnlyDueStates() {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 16, hashSeed: 6)
        for number in 0..<100 {
            table.insert(TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number), expire: UInt32(number)))
        }
        var removed: [StateID] = []
        #expect(table.expire(now: 49, limit: 10, into: &removed) == 10)
        #expect(removed.count == 10 && removed.allSatisfy { $0.id <= 49 })
        #expect(table.expire(now: 49, into: &removed) == 40)
        #expect(Set(removed.map(\.id)) == Set(0..<50))
        #expect(table.count == 50)
        #expect(table.invariantViolations() == [])
    }

    @Test func removeAllByCreatorAndInterface() {
        let table = StateTable(shardCount: 4, hashSeed: 7)
        for number in 0..<60 {
            var state = TableFixtures.state(id: UInt64(number), creator: UInt32(number % 3), wire: TableFixtures.key(number))
            state.ifname = InterfaceName(number % 2 == 0 ? "em0" : "em1")
            table.insert(state)
        }
        #expect(table.removeAll(creatorID: 1, ifname: InterfaceName("em0")) == 10)
        #expect(table.removeAll(creatorID: 1) == 10)
        #expect(table.removeAll(creatorID: 1) == 0)
        #expect(table.count == 40)
        #expect(table.allStates().allSatisfy { $0.identity.creatorID != 1 })
        #expect(table.invariantViolations() == [])
    }

    @Test func copyStatesVisitsEveryStateOnceInChunks() {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 16, hashSeed: 8)
        for number in 0..<500 {
            table.insert(TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number)))
        }
        for number in stride(from: 0, to: 500, by: 3) {
            table.remove(StateID(id: UInt64(number), creatorID: 1))
        }
        var copied: [PFState] = []
        var calls = 0
        for shard in 0..<table.shardCount {
            var cursor: Int? = 0
            while let position = cursor {
                let before = copied.count
                cursor = table.copyStates(shard: shard, from: position, max: 7, into: &copied)
                #expect(copied.count - before <= 7)
                calls += 1
            }
        }
        #expect(calls > 4)
        #expect(copied.count == table.count)
        #expect(Set(copied.map(\.identity)) == Set(table.allStates().map(\.identity)))
        #expect(table.copyStates(shard: -1, from: 0, max: 7, into: &copied) == nil)
    }

    /// A walk up to the slot marks sees the states held when the marks were taken, not
    /// those inserted after (a bulk answer's snapshot).
    @Test func copyStatesUpToTheSlotMarksLeavesOutLaterInserts() {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 16, hashSeed: 9)
        for number in 0..<200 {
            table.insert(TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number)))
        }
        let marks = table.slotMarks()
        #expect(marks.count == table.shardCount)
        for number in 200..<300 {
            table.insert(TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number)))
        }
        var copied: [PFState] = []
        for shard in 0..<table.shardCount {
            var cursor: Int? = 0
            while let position = cursor {
                cursor = table.copyStates(shard: shard, from: position, max: 7, end: marks[shard], into: &copied)
            }
        }
        #expect(Set(copied.map(\.identity.id)) == Set(0..<200))
        #expect(table.count == 300)
    }
}
