import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A bulk update's full states are counted once per run (``FullStateTally``): the totals
/// must still be exact, new states attributed to their creators.
@Suite struct BulkCountersTests {
    @Test func aBulkOfTwoCreatorsIsCountedExactly() {
        let pair = DirectEnginePair.slowBulkPair()
        var random = SplitMix(seed: 5)
        var byCreator: [UInt32: UInt64] = [:]
        for index in 0..<2500 {
            var state = EngineSimulationTests.state(index, random: &random)
            // Runs of one creator and single states of another, interleaved.
            let creator: UInt32 = index % 7 == 0 || (index / 50) % 3 == 0 ? 9 : 1
            state.identity = StateID(id: state.identity.id, creatorID: creator)
            byCreator[creator, default: 0] += 1
            pair.primary.table.insert(state, recordChange: false)
        }
        // One state the backup already has: an update, not a creation.
        pair.backup.table.insert(pair.primary.table.state(for: StateID(id: 0xAB, creatorID: 9))!, recordChange: false)
        pair.backup.requestBulk(nowNanos: pair.now) { pair.toPrimary.append(Array($0)) }
        pair.settle(ticks: 400)
        let counters = pair.backup.currentCounters
        #expect(pair.backup.status.bulk.incoming == .done)
        #expect(pair.backup.table.count == 2500)
        #expect(counters[.bulkStatesReceived] == 2500)
        #expect(counters[.statesCreated] == 2499)
        #expect(counters[.statesUpdated] == 1)
        #expect(counters.actionsIn[ReplicationEngine.updateActionIndex] == 2500)
        var expected = byCreator
        expected[9, default: 0] -= 1
        #expect(counters.statesByCreator == expected)
        #expect(counters[.badstate] == 0)
    }

    @Test func theTallyAttributesRunsAndSinglesToTheirCreators() {
        var tally = FullStateTally()
        let sequence: [(FullStateTally.Outcome, UInt32)] = [
            (.inserted, 1), (.inserted, 1), (.inserted, 2), (.updated, 2), (.inserted, 1),
            (.keyConflict, 3), (.inserted, 3), (.inserted, 3), (.updated, 1),
        ]
        for (outcome, creator) in sequence { tally.add(outcome, creator: creator) }
        var counters = ReplicationCounters()
        counters.statesByCreator[2] = 10
        tally.flush(into: &counters)
        #expect(counters[.statesCreated] == 6)
        #expect(counters[.statesUpdated] == 2)
        #expect(counters[.badstate] == 1)
        #expect(counters.statesByCreator == [1: 3, 2: 11, 3: 2])
    }
}
