import Testing
@testable import PFSyncCore

/// pfsync's coalescing rules for the change log.
@Suite struct StateTableCoalescingTests {
    let id = StateID(id: 0x42, creatorID: 7)

    func makeTable(maxUpdates: Int = 128) -> StateTable {
        StateTable(shardCount: 4, initialCapacityPerShard: 16, maxUpdates: maxUpdates, hashSeed: 5)
    }

    func state(_ number: UInt64 = 0x42) -> PFState {
        TableFixtures.state(id: number, creator: 7, wire: TableFixtures.key(Int(number)))
    }

    @Test func insertThenUpdatesGiveOneInsertWithAllChanges() {
        let table = makeTable()
        table.insert(state())
        for _ in 0..<5 { table.update(id) { $0.packets.forward += 1 } }
        #expect(table.pendingChangeCount == 1)
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.count == 1)
        #expect(deltas.first?.kind == .insert)
        #expect(deltas.first?.changes == 6)
        #expect(deltas.first?.state.packets.forward == 5, "snapshot at drain time")
        #expect(table.pendingChangeCount == 0)
        #expect(TableFixtures.drainAll(table).isEmpty, "a drain clears the log")
    }

    @Test(arguments: [1, 2, 7, 50])
    func updatesGiveOneUpdateCountingThem(k: Int) {
        let table = makeTable()
        table.insert(state(), recordChange: false)
        for _ in 0..<k { table.update(id) { $0.bytes.reverse += 10 } }
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.count == 1)
        #expect(deltas.first?.kind == .update)
        #expect(deltas.first?.changes == UInt32(k))
        #expect(deltas.first?.state.bytes.reverse == UInt64(10 * k))
    }

    @Test func insertThenDeleteLeavesNothing() {
        let table = makeTable()
        table.insert(state())
        table.update(id) { $0.packets.forward += 1 }
        table.remove(id)
        #expect(table.pendingChangeCount == 0)
        #expect(TableFixtures.drainAll(table).isEmpty)
    }

    @Test func updatesThenDeleteGiveOneDeleteWithTheRemovedState() {
        let table = makeTable()
        table.insert(state(), recordChange: false)
        table.update(id) { $0.packets.forward = 3 }
        table.update(id) { $0.packets.forward = 4 }
        table.remove(id)
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.count == 1)
        #expect(deltas.first?.kind == .delete)
        #expect(deltas.first?.changes == 3)
        #expect(deltas.first?.state.packets.forward == 4)
    }

    @Test func deleteOfADrainedStateGivesOneDelete() {
        let table = makeTable()
        table.insert(state())
        _ = TableFixtures.drainAll(table)
        table.remove(id)
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.map(\.kind) == [.delete])
        #expect(deltas.first?.changes == 1)
    }

    @Test func deleteThenReinsertGivesDeleteThenInsert() {
        let table = makeTable()
        table.insert(state(), recordChange: false)
        table.update(id) { $0.packets.forward = 1 }
        table.remove(id)
        var again = state()
        again.packets.forward = 99
        #expect(table.insert(again) == .inserted)
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.map(\.kind) == [.delete, .insert])
        #expect(deltas.first?.state.packets.forward == 1)
        #expect(deltas.last?.state.packets.forward == 99)
        #expect(deltas.last?.changes == 1)
    }

    @Test func reusedSlotIsReportedOnceForItsNewState() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 16, hashSeed: 1)
        let first = state(1)
        let second = state(2)
        table.insert(first)
        _ = TableFixtures.drainAll(table)
        table.update(first.identity) { $0.packets.forward = 1 }
        table.remove(first.identity)
        table.insert(second)  // takes the freed slot
        table.update(second.identity) { $0.packets.forward = 2 }
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.map(\.kind) == [.delete, .insert])
        #expect(deltas.map(\.state.identity) == [first.identity, second.identity])
        #expect(deltas.last?.changes == 2)
    }

    @Test func unrecordedChangesLeaveTheLogAlone() {
        let table = makeTable()
        table.insert(state(), recordChange: false)
        table.update(id, recordChange: false) { $0.packets.forward = 1 }
        table.upsert(state())
        #expect(table.pendingChangeCount == 0)
        #expect(TableFixtures.drainAll(table).isEmpty)
        table.update(id) { $0.packets.forward = 2 }
        table.update(id, recordChange: false) { $0.packets.forward = 3 }
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.count == 1 && deltas.first?.changes == 1)
        #expect(deltas.first?.state.packets.forward == 3)
        table.update(id) { $0.packets.forward = 4 }
        table.remove(id, recordChange: false)
        #expect(table.pendingChangeCount == 0, "an unrecorded removal drops the pending update")
        #expect(TableFixtures.drainAll(table).isEmpty)
    }

    @Test func recordedUpsertCoalescesLikeInsertAndUpdate() {
        let table = makeTable()
        #expect(table.upsert(state(), recordChange: true))
        #expect(!table.upsert(state(), recordChange: true))
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.map(\.kind) == [.insert])
        #expect(deltas.first?.changes == 2)
    }

    @Test func expiryRecordsDeletesAndClearDoesNotByDefault() {
        let table = makeTable()
        table.insert(TableFixtures.state(id: 1, creator: 7, wire: TableFixtures.key(1), expire: 10), recordChange: false)
        table.insert(TableFixtures.state(id: 2, creator: 8, wire: TableFixtures.key(2), expire: 500), recordChange: false)
        var removed: [StateID] = []
        #expect(table.expire(now: 10, into: &removed) == 1)
        #expect(removed == [StateID(id: 1, creatorID: 7)])
        #expect(table.removeAll(creatorID: 8) == 1)
        let deltas = TableFixtures.drainAll(table)
        #expect(deltas.map(\.kind) == [.delete])
        #expect(deltas.first?.state.identity == StateID(id: 1, creatorID: 7))
    }

    @Test func urgentAtMaxUpdatesUntilDrained() {
        let table = makeTable(maxUpdates: 4)
        table.insert(state(), recordChange: false)
        #expect(!table.hasUrgentChanges)
        for _ in 0..<3 { table.update(id) { $0.packets.forward += 1 } }
        #expect(!table.hasUrgentChanges)
        table.update(id) { $0.packets.forward += 1 }
        #expect(table.hasUrgentChanges)
        #expect(table.urgentShards() == [table.shard(of: id)])
        var deltas: [StateDelta] = []
        #expect(table.drainChanges(shard: table.shard(of: id), into: &deltas) == 1)
        #expect(deltas.first?.changes == 4)
        #expect(!table.hasUrgentChanges)
    }

    @Test func insertCountsTowardsMaxUpdates() {
        let table = makeTable(maxUpdates: 2)
        table.insert(state())
        #expect(!table.hasUrgentChanges)
        table.update(id) { $0.packets.forward += 1 }
        #expect(table.hasUrgentChanges)
    }

    @Test func drainOfOtherShardsLeavesAStateAlone() {
        let table = makeTable()
        table.insert(state())
        let home = table.shard(of: id)
        var deltas: [StateDelta] = []
        for shard in 0..<table.shardCount where shard != home {
            table.drainChanges(shard: shard, into: &deltas)
        }
        #expect(deltas.isEmpty)
        #expect(table.drainChanges(shard: home, into: &deltas) == 1)
        #expect(table.drainChanges(shard: 99, into: &deltas) == 0)
    }
}
