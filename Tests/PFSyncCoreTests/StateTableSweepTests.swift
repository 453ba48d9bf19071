import Testing
@testable import PFSyncCore

/// Sweeps (expiry, CLR) take a shard lock for ``StateTable/scanChunk`` slots at a time:
/// they must still find every match across the chunks, and stop at their limit.
@Suite struct StateTableSweepTests {
    static func table(states: Int) -> StateTable {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        for number in 0..<states {
            // Every third state is due at 100, the others at 1000.
            let state = TableFixtures.state(
                id: UInt64(number), wire: TableFixtures.key(number, port: number), expire: number % 3 == 0 ? 100 : 1000)
            table.insert(state)
        }
        return table
    }

    @Test func expiryFindsEveryDueStateAcrossChunks() {
        let states = 3 * StateTable.scanChunk + 7
        let table = Self.table(states: states)
        var removed: [StateID] = []
        let due = (0..<states).filter { $0 % 3 == 0 }
        #expect(table.expire(now: 100, into: &removed) == due.count)
        #expect(Set(removed.map(\.id)) == Set(due.map(UInt64.init)))
        #expect(table.count == states - due.count)
        #expect(table.invariantViolations() == [])
    }

    @Test func aLimitStopsTheSweepInsideAChunkAndTheNextSweepGoesOn() {
        let states = 3 * StateTable.scanChunk + 7
        let table = Self.table(states: states)
        let due = (0..<states).filter { $0 % 3 == 0 }.count
        var removed: [StateID] = []
        let limit = StateTable.scanChunk / 3 + 5
        #expect(table.expire(now: 100, limit: limit, into: &removed) == limit)
        #expect(table.expire(now: 100, into: &removed) == due - limit)
        #expect(Set(removed).count == due)
        #expect(table.expire(now: 100, into: &removed) == 0)
    }

    @Test func clrRemovesEveryStateOfItsCreatorAcrossChunks() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        let states = 2 * StateTable.scanChunk + 3
        for number in 0..<states {
            table.insert(TableFixtures.state(
                id: UInt64(number), creator: number % 2 == 0 ? 7 : 8, wire: TableFixtures.key(number, port: number)))
        }
        #expect(table.removeAll(creatorID: 7) == (states + 1) / 2)
        #expect(table.count == states / 2)
        #expect(table.allStates().allSatisfy { $0.identity.creatorID == 8 })
    }
}
