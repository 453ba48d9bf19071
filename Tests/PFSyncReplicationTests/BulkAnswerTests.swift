import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A node that is taking a bulk update from its peer answers the peer's own bulk request
/// only once its bulk has ended: it does not stream its half-filled table back meanwhile.
/// The answer holds the states the node had when asked: those that came in since are the
/// peer's own (or this node's, sent live), so the peer's table does not come back to it;
/// nor do the states that came from the peer's run and were not changed here since.
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
        // table, with what the backup held when the request came, less what came from the
        // primary's run: the backup's own 40 states.
        #expect(backup.currentCounters[.bulkRequestsReceived] == 1)
        let sent = backup.currentCounters[.bulkStatesSent]
        #expect(sent == 40, "sent \(sent), held \(heldWhenAsked) when asked")
        #expect(primary.status.bulk.incoming == .done)
        #expect(primary.table.count == 3040)
        #expect(own.allSatisfy { primary.table.state(for: $0) != nil })
    }

    /// Two engines joined directly (as ``DirectEnginePair``, whose engines cannot be
    /// replaced): `pending` frames go to `b` first; then, `ticks` times, both tick and
    /// everything sent is delivered until nothing moves.
    static func settle(
        _ a: ReplicationEngine, _ b: ReplicationEngine, now: inout UInt64, ticks: Int, toB pending: [[UInt8]] = []
    ) {
        var toB = pending
        var toA: [[UInt8]] = []
        for _ in 0..<ticks {
            now += 2_000_000
            a.tick(nowNanos: now, stateNow: 1000) { toB.append(Array($0)) }
            b.tick(nowNanos: now, stateNow: 1000) { toA.append(Array($0)) }
            while !toA.isEmpty || !toB.isEmpty {
                let forward = toB
                let backward = toA
                toB = []
                toA = []
                for frame in forward { frame.withUnsafeBytes { b.receive($0, nowNanos: now, stateNow: 1000) { toA.append(Array($0)) } } }
                for frame in backward { frame.withUnsafeBytes { a.receive($0, nowNanos: now, stateNow: 1000) { toB.append(Array($0)) } } }
            }
        }
    }

    @Test func whatCameFromThePeersRunGoesBackOnlyWhenChangedHereOrToANewRun() {
        var now: UInt64 = 1_000_000
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        let primary = ReplicationEngine(config: primaryConfig, table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        let backup = ReplicationEngine(
            config: EngineConfig(nodeID: 2, epoch: 20), table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        var random = SplitMix(seed: 5)
        for index in 0..<2000 {
            primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: false)
        }
        for index in 5000..<5030 {
            var state = EngineSimulationTests.state(index, random: &random)
            state.identity = StateID(id: UInt64(index), creatorID: 2)
            backup.table.insert(state, recordChange: false)
        }
        var ignored: [[UInt8]] = []
        primary.start(nowNanos: now) { ignored.append(Array($0)) }
        backup.start(nowNanos: now) { ignored.append(Array($0)) }
        // The backup's start-up request is lost with the rest; its retry brings the bulk.
        Self.settle(primary, backup, now: &now, ticks: 700)
        #expect(backup.table.count == 2030)
        #expect(backup.table.peerStateCount() == 2000)

        // The primary asks (a resync): the backup's own 30 states go, none of the primary's.
        var request: [[UInt8]] = []
        primary.requestBulk(nowNanos: now) { request.append(Array($0)) }
        Self.settle(primary, backup, now: &now, ticks: 50, toB: request)
        #expect(backup.currentCounters[.bulkStatesSent] == 30)

        // A state of the primary's changed here (its change goes live, and it is no longer
        // the primary's as it is): the next answer holds it too.
        let changed = StateID(id: 7 << 16 | 0xAB, creatorID: 1)
        #expect(backup.table.update(changed, recordChange: true) { $0.packets.forward += 1 } != nil)
        Self.settle(primary, backup, now: &now, ticks: 5)
        request = []
        primary.requestBulk(nowNanos: now) { request.append(Array($0)) }
        Self.settle(primary, backup, now: &now, ticks: 50, toB: request)
        #expect(backup.currentCounters[.bulkStatesSent] == 30 + 31)

        // The primary restarts (a new run, an empty table): it gets everything.
        let restarted = ReplicationEngine(
            config: { var config = primaryConfig; config.epoch = 11; config.requestBulkOnStart = true; return config }(),
            table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        restarted.start(nowNanos: now) { _ in }
        Self.settle(restarted, backup, now: &now, ticks: 700)
        #expect(restarted.table.count == 2030)
        #expect(backup.currentCounters[.bulkStatesSent] == 30 + 31 + 2030)
    }
}
