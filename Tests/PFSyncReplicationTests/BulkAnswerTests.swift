import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A node that is taking a bulk update from its peer answers the peer's own bulk request
/// only once its bulk has ended: it does not stream its half-filled table back meanwhile.
@Suite struct BulkAnswerTests {
    @Test func aBulkRequestDuringOurBulkIsAnsweredAfterIt() {
        let pair = DirectEnginePair.slowBulkPair()
        let primary = pair.primary
        let backup = pair.backup
        var random = SplitMix(seed: 12)
        for index in 0..<3000 {
            primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: false)
        }
        var asked = false
        var sentWhileReceiving = false
        var sawReceiving = false
        pair.settle(ticks: 400) {
            guard backup.status.bulk.incoming == .receiving else { return }
            if !asked {
                // The primary asks for a bulk while its own to the backup runs (as when it
                // started alone earlier and retries its request).
                asked = true
                primary.requestBulk(nowNanos: pair.now) { pair.toBackup.append(Array($0)) }
            }
            sawReceiving = true
            if backup.currentCounters[.bulkStatesSent] > 0 { sentWhileReceiving = true }
        }
        #expect(sawReceiving)
        #expect(!sentWhileReceiving)
        #expect(backup.status.bulk.incoming == .done)
        #expect(backup.table.count == 3000)
        // The primary's request was not dropped: it was answered once the backup had its table.
        #expect(backup.currentCounters[.bulkRequestsReceived] >= 1)
        #expect(backup.currentCounters[.bulkStatesSent] == 3000)
        #expect(primary.status.bulk.incoming == .done)
    }
}
