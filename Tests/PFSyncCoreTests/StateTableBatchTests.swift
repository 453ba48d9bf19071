import Testing
@testable import PFSyncCore

/// ``StateTable/updateWithBases(count:id:scratch:_:)``: the pipelined batch that applies
/// replicated deltas.
@Suite struct StateTableBatchTests {
    static func table(states: Int) -> StateTable {
        let table = StateTable(shardCount: 8, initialCapacityPerShard: 64, hashSeed: 5)
        for number in 0..<states {
            let state = TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number, port: number))
            _ = table.insert(state, recordChange: false)
        }
        return table
    }

    /// Runs one batch over `ids` and returns, per item, the id of the state it was given
    /// (nil for none), and the order the items ran in.
    static func run(_ table: StateTable, ids: [StateID], scratch: inout StateBatchScratch) -> (seen: [StateID?], order: [Int]) {
        var seen = [StateID?](repeating: nil, count: ids.count)
        var order: [Int] = []
        var calls = [Int](repeating: 0, count: ids.count)
        table.updateWithBases(count: ids.count, id: { ids[$0] }, scratch: &scratch) { index, state, base in
            calls[index] += 1
            order.append(index)
            if let state {
                #expect(base != nil)
                seen[index] = state.pointee.identity
            } else {
                #expect(base == nil)
            }
        }
        #expect(calls.allSatisfy { $0 == 1 }, "every item runs exactly once")
        return (seen, order)
    }

    @Test(arguments: [1, 31, 32, 33, 64, 65, 97, 300])
    func everyItemRunsOnceWithItsOwnStateOrNone(count: Int) {
        let table = Self.table(states: 500)
        var rng = SeededGenerator(seed: UInt64(count))
        // Known ids, ids the table does not hold, and the same state several times.
        let ids = (0..<count).map { _ -> StateID in
            let number = UInt64.random(in: 0..<600, using: &rng)
            return StateID(id: number, creatorID: 1)
        }
        var scratch = StateBatchScratch()
        let (seen, order) = Self.run(table, ids: ids, scratch: &scratch)
        for (index, id) in ids.enumerated() {
            #expect(seen[index] == (id.id < 500 ? id : nil))
        }
        // All items of one state run in the batch's order.
        var lastRun: [StateID: Int] = [:]
        for index in order {
            if let previous = lastRun[ids[index]] { #expect(previous < index) }
            lastRun[ids[index]] = index
        }
    }

    @Test func aScratchReusedForSmallerAndLargerBatchesGivesTheSameResults() {
        let table = Self.table(states: 200)
        var scratch = StateBatchScratch()
        for count in [150, 3, 40, 150, 1] {
            let ids = (0..<count).map { StateID(id: UInt64(($0 * 7) % 230), creatorID: 1) }
            let (seen, _) = Self.run(table, ids: ids, scratch: &scratch)
            #expect(seen == ids.map { $0.id < 200 ? $0 : nil })
        }
    }

    @Test func writesThroughTheBatchLandInTheTable() {
        let table = Self.table(states: 100)
        let ids = (0..<100).map { StateID(id: UInt64($0), creatorID: 1) }
        var scratch = StateBatchScratch()
        table.updateWithBases(count: ids.count, id: { ids[$0] }, scratch: &scratch) { index, state, base in
            state?.pointee.expire = 1000 + UInt32(index)
            base?.pointee.version = UInt8(truncatingIfNeeded: index)
        }
        for (index, id) in ids.enumerated() {
            #expect(table.state(for: id)?.expire == 1000 + UInt32(index))
        }
    }
}
