import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A node that is taking a bulk update from its peer answers the peer's own bulk request
/// only once its bulk has ended: it does not stream its half-filled table back meanwhile.
/// The answer holds the states the node had when asked: those that came in since are the
/// peer's own (or this node's, sent live), so the peer's table does not come back to it.
@Suite struct BulkAnswerTests {
    @Test func aBulkRequestDuringOurBulkIsAnsweredAfterItWithTheStatesHeldWhenAsked() {
        let pair = DirectEnginePair.slowBulkPair()
        let primary = pair.primary
        let backup = pair.backup
        var random = SplitMix(seed: 12)
        for index in 0..<3000 {
            primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: false)
        }
        // States only the backup holds (not recorded as changes: only a bulk carries them).
        var own: [StateID] = []
        for index in 5000..<5040 {
            var state = EngineSimulationTests.state(index, random: &random)
            state.identity = StateID(id: UInt64(index), creatorID: 2)
            own.append(state.identity)
            backup.table.insert(state, recordChange: false)
        }
        var asked = false
        var heldWhenAsked = 0
        var sentWhileReceiving = false
        var sawReceiving = false
        pair.settle(ticks: 400) {
            guard backup.status.bulk.incoming == .receiving else { return }
            if !asked {
                // The primary asks for a bulk while its own to the backup runs (as when it
                // started alone earlier and retries its request).
                asked = true
                heldWhenAsked = backup.table.count
                primary.requestBulk(nowNanos: pair.now) { pair.toBackup.append(Array($0)) }
            }
            sawReceiving = true
            if backup.currentCounters[.bulkStatesSent] > 0 { sentWhileReceiving = true }
        }
        #expect(sawReceiving)
        #expect(!sentWhileReceiving)
        #expect(backup.status.bulk.incoming == .done)
        #expect(backup.table.count == 3040)
        // The primary's request was not dropped: it was answered once the backup had its
        // table, with what the backup held when the request came (its own states among
        // them), not the whole table.
        #expect(backup.currentCounters[.bulkRequestsReceived] == 1)
        let sent = backup.currentCounters[.bulkStatesSent]
        #expect(sent >= UInt64(heldWhenAsked) && sent < 3040, "sent \(sent), held \(heldWhenAsked) when asked")
        #expect(primary.status.bulk.incoming == .done)
        #expect(primary.table.count == 3040)
        #expect(own.allSatisfy { primary.table.state(for: $0) != nil })
    }
}
