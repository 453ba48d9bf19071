import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A node that is taking a bulk update from its peer answers the peer's own bulk request
/// only once its bulk has ended: it does not stream its half-filled table back meanwhile.
@Suite struct BulkAnswerTests {
    @Test func aBulkRequestDuringOurBulkIsAnsweredAfterIt() {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.bulkStatesPerTick = 100
        let primary = ReplicationEngine(config: primaryConfig, table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        let backup = ReplicationEngine(
            config: EngineConfig(nodeID: 2, epoch: 20), table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        var random = SplitMix(seed: 12)
        for index in 0..<3000 {
            primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: false)
        }
        var now: UInt64 = 1_000_000
        let stateNow: UInt32 = 1000
        var toBackup: [[UInt8]] = []
        var toPrimary: [[UInt8]] = []
        primary.start(nowNanos: now) { _ in }
        backup.start(nowNanos: now) { toPrimary.append(Array($0)) }
        var asked = false
        var sentWhileReceiving = false
        var sawReceiving = false
        for _ in 0..<400 {
            now += 2_000_000
            primary.tick(nowNanos: now, stateNow: stateNow) { toBackup.append(Array($0)) }
            backup.tick(nowNanos: now, stateNow: stateNow) { toPrimary.append(Array($0)) }
            while !toBackup.isEmpty || !toPrimary.isEmpty {
                let forward = toBackup
                let backward = toPrimary
                toBackup = []
                toPrimary = []
                for frame in forward {
                    frame.withUnsafeBytes { backup.receive($0, nowNanos: now, stateNow: stateNow) { toPrimary.append(Array($0)) } }
                }
                for frame in backward {
                    frame.withUnsafeBytes { primary.receive($0, nowNanos: now, stateNow: stateNow) { toBackup.append(Array($0)) } }
                }
                if backup.status.bulk.incoming == .receiving {
                    if !asked {
                        // The primary asks for a bulk while its own to the backup runs (as
                        // when it started alone earlier and retries its request).
                        asked = true
                        primary.requestBulk(nowNanos: now) { toBackup.append(Array($0)) }
                    }
                    sawReceiving = true
                    if backup.currentCounters[.bulkStatesSent] > 0 { sentWhileReceiving = true }
                }
            }
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
