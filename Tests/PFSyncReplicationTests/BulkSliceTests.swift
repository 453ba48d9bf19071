import PFSyncCore
import Testing
@testable import PFSyncReplication

/// A bulk send copies states out of the table a short slice per hold of a shard lock and
/// encodes them a larger batch at a time: every state must arrive once and whole, across
/// slice, batch and shard boundaries.
@Suite struct BulkSliceTests {
    @Test func aBulkOfManySlicesAndBatchesDeliversEveryStateOnceAndWhole() {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        let pair = DirectEnginePair(primaryConfig: primaryConfig, settleAtStart: false)
        // Two shards of ~5,000 states: each is more than one batch and many slices.
        let total = 2 * ReplicationEngine.bulkBatchStates + 1_800
        #expect(ReplicationEngine.bulkSliceStates < ReplicationEngine.bulkBatchStates)
        var random = SplitMix(seed: 31)
        for index in 0..<total {
            #expect(
                pair.primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: false)
                    == .inserted)
        }
        pair.settle(ticks: 40)
        #expect(pair.backup.status.bulk.incoming == .done)
        #expect(pair.primary.currentCounters[.bulkStatesSent] == UInt64(total))
        #expect(pair.backup.currentCounters[.bulkStatesReceived] == UInt64(total))
        #expect(pair.backup.table.count == total)
        var different = 0
        for state in pair.primary.table.allStates() {
            guard let copy = pair.backup.table.state(for: state.identity) else {
                different += 1
                continue
            }
            if copy.wireKey != state.wireKey || copy.src != state.src || copy.dst != state.dst
                || copy.timeout != state.timeout
            {
                different += 1
            }
        }
        #expect(different == 0)
    }
}
