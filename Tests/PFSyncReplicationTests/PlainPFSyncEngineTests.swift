import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Two plain pfsync engines wired in-process: what they send is plain FreeBSD v5 pfsync,
/// and the backup's table follows the primary's.
@Suite struct PlainPFSyncEngineTests {
    @Test func tablesConvergeThroughInsUpdCAndDelC() throws {
        let pair = PlainPFSyncPair()
        pair.start()
        for index in 0..<300 { pair.primaryTable.insert(PlainPFSyncPair.state(index)) }
        pair.tick()
        #expect(pair.backupTable.count == 300)
        for index in stride(from: 0, to: 300, by: 3) {
            pair.primaryTable.update(PlainPFSyncPair.state(index).identity) { state in
                state.src.seqLo &+= 5_000
                state.dst.state = PeerState.finWait2
                state.timeout = TimeoutClass.tcpClosing.rawValue
            }
        }
        for index in stride(from: 1, to: 300, by: 7) { pair.primaryTable.remove(PlainPFSyncPair.state(index).identity) }
        pair.tick()
        #expect(pair.backupTable.count == pair.primaryTable.count)
        #expect(PlainPFSyncPair.comparable(pair.backupTable) == PlainPFSyncPair.comparable(pair.primaryTable))

        // What went out is plain pfsync: version 5, at most the MTU, EOF last, INS / UPD_C
        // without counters / DEL_C only.
        var seen: Set<String> = []
        for (packet, messages) in zip(pair.sentByPrimary, try PlainPFSyncPair.messages(pair.sentByPrimary)) {
            #expect(packet[0] == 5)
            #expect(packet.count <= 1480)
            #expect(Int(packet[2]) << 8 | Int(packet[3]) == packet.count)
            #expect(messages.last == .eof)
            for message in messages {
                seen.insert(message.actionName)
                if case .compressedUpdate(let update) = message { #expect(update.counters == nil) }
            }
        }
        #expect(seen == ["INS_1400", "UPD_C", "DEL_C", "EOF"])
        let counters = pair.primary.currentCounters
        #expect(counters[.opackets] == UInt64(pair.sentByPrimary.count))
        #expect(counters.actionsOut[1] == 300)
        let removed = Set(stride(from: 1, to: 300, by: 7))
        let updated = Set(stride(from: 0, to: 300, by: 3)).subtracting(removed)
        #expect(counters.actionsOut[4] == UInt64(updated.count))
        #expect(counters.actionsOut[7] == UInt64(removed.count))
        // 300 INS of 277 bytes need at least 57 packets of 1480 bytes (5 per packet).
        #expect(pair.sentByPrimary.count >= 60 && pair.sentByPrimary.count < 100)
        #expect(pair.backup.currentCounters[.ipackets] == UInt64(pair.sentByPrimary.count))
    }

    /// A recycled flow (a SYN on a closed state's ports: the old state goes, a new one
    /// with the same key and another id comes) often lands in another shard. pfsync
    /// refuses an insert whose key another state still holds, so each flush sends every
    /// delete before any insert: the peer must end with the new states.
    @Test func recycledFlowsReachThePeerWhateverTheirShards() throws {
        let pair = PlainPFSyncPair()
        pair.start()
        let flows = 64
        for index in 0..<flows { pair.primaryTable.insert(PlainPFSyncPair.state(index)) }
        pair.tick()
        #expect(pair.backupTable.count == flows)
        let sentBefore = pair.sentByPrimary.count
        var lowerShard = 0
        for index in 0..<flows {
            let old = PlainPFSyncPair.state(index)
            var new = old
            new.identity = StateID(id: old.identity.id | 0x77 << 40, creatorID: old.identity.creatorID)
            new.src.seqLo &+= 99_999
            if pair.primaryTable.shard(of: new.identity) < pair.primaryTable.shard(of: old.identity) { lowerShard += 1 }
            pair.primaryTable.remove(old.identity)
            #expect(pair.primaryTable.insert(new) == .inserted)
        }
        #expect(lowerShard > 0, "some new states sit in a shard drained before their old one's")
        pair.tick()
        #expect(pair.backupTable.count == flows)
        #expect(PlainPFSyncPair.comparable(pair.backupTable) == PlainPFSyncPair.comparable(pair.primaryTable))
        #expect(pair.backup.currentCounters[.badstate] == 0)
        // On the wire: within the flush, no insert before a delete.
        let flushed = try PlainPFSyncPair.messages(Array(pair.sentByPrimary[sentBefore...])).flatMap { $0 }
        let kinds = flushed.compactMap { message -> String? in
            switch message.actionName {
            case "DEL_C", "DEL": return "D"
            case let name where name.hasPrefix("INS"): return "I"
            default: return nil
            }
        }
        #expect(kinds.count == 2 * flows)
        #expect(kinds == Array(repeating: "D", count: flows) + Array(repeating: "I", count: flows))
    }

    @Test func updateForUnknownStateIsAnsweredByUpdReqAndFullUpd() throws {
        let pair = PlainPFSyncPair()
        pair.start()
        let original = PlainPFSyncPair.state(7)
        // Known to the primary only: its INS never went out.
        pair.primaryTable.insert(original, recordChange: false)
        pair.primaryTable.update(original.identity) { $0.src.seqLo &+= 100 }
        pair.tick()
        #expect(pair.backup.currentCounters[.updateRequestsSent] == 1)
        #expect(pair.primary.currentCounters.actionsIn[5] == 1)
        #expect(pair.primary.currentCounters.actionsOut[3] == 1)
        #expect(pair.backupTable.state(for: original.identity)?.src.seqLo == original.src.seqLo &+ 100)
        let requests = try PlainPFSyncPair.messages(pair.sentByBackup).joined()
        #expect(requests.contains(.updateRequest(original.identity)))
        // A request for a state nobody has is pfsync's badstate.
        let before = pair.primary.currentCounters[.badstate]
        var writer = PFSyncPacketWriter(version: .freeBSD)
        let appendedRequest = writer.append(.updateRequest(StateID(id: 99, creatorID: 9)))
        let appendedDelete = writer.append(.compressedDelete(StateID(id: 98, creatorID: 9)))
        #expect(appendedRequest && appendedDelete)
        let packet = writer.finish()
        packet.withUnsafeBytes { pair.primary.receive(packet: $0, nowNanos: pair.now, stateNow: pair.stateNow) { _ in } }
        #expect(pair.primary.currentCounters[.badstate] == before + 2)
    }

    @Test func bulkUpdateOnStartIsPacedAndCompletes() throws {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 1)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.bulkStatesPerTick = 20
        let backupConfig = EngineConfig(nodeID: 2, epoch: 1)
        let pair = PlainPFSyncPair(primaryConfig: primaryConfig, backupConfig: backupConfig)
        for index in 0..<500 { pair.primaryTable.insert(PlainPFSyncPair.state(index), recordChange: false) }
        pair.start()
        // The backup's UPD_REQ(0, 0) went out at start.
        #expect(try PlainPFSyncPair.messages(pair.sentByBackup).first?.first == .updateRequest(.bulkRequest))
        pair.deliver()
        #expect(pair.primary.status.bulk.sending)
        var ticks = 0
        while pair.backup.status.bulk.incoming != .done && ticks < 100 {
            pair.tick()
            ticks += 1
        }
        #expect(pair.backup.status.bulk.incoming == .done)
        #expect(ticks >= 500 / 20)
        #expect(pair.backupTable.count == 500)
        #expect(PlainPFSyncPair.comparable(pair.backupTable) == PlainPFSyncPair.comparable(pair.primaryTable))
        #expect(pair.backup.currentCounters[.bulkCompleted] == 1)
        #expect(pair.backup.currentCounters[.bulkStatesReceived] == 500)
        let names = try PlainPFSyncPair.messages(pair.sentByPrimary).joined().map(\.actionName)
        #expect(names.first == "BUS")
        #expect(names.filter { $0 == "UPD_1400" }.count == 500)
        #expect(names.filter { $0 == "BUS" }.count == 2)
    }

    @Test func unansweredBulkRequestGivesUpAfterTwelveTries() {
        var config = EngineConfig(nodeID: 2, epoch: 1)
        config.bulkRetryNanos = 2_000_000_000
        let engine = PlainPFSyncEngine(config: config, table: StateTable(shardCount: 2))
        var sent = 0
        var now: UInt64 = 1
        engine.start(nowNanos: now) { _ in sent += 1 }
        for _ in 0..<40 {
            now += 1_000_000_000
            engine.tick(nowNanos: now, stateNow: 100) { _ in sent += 1 }
        }
        #expect(engine.status.bulk.incoming == .failed)
        #expect(engine.status.bulk.tries == 12)
        #expect(engine.currentCounters[.bulkRequestsSent] == 12)
        #expect(sent == 12)
    }

    @Test func staleUpdateIsCountedNotAppliedAndOursIsSentBack() throws {
        let pair = PlainPFSyncPair()
        pair.start()
        let older = PlainPFSyncPair.state(3, seqLo: 1_000)
        var newer = older
        newer.src.seqLo = 90_000
        pair.primaryTable.insert(older, recordChange: false)
        pair.backupTable.insert(newer, recordChange: false)
        // The primary changes something else; its UPD_C still carries the older window.
        pair.primaryTable.update(older.identity) { $0.dst.seqLo &+= 1 }
        pair.tick()
        #expect(pair.backup.currentCounters[.stale] == 1)
        // Never rolled back; and the primary took the newer window the backup sent back.
        #expect(pair.backupTable.state(for: older.identity)?.src.seqLo == 90_000)
        #expect(pair.primaryTable.state(for: older.identity)?.src.seqLo == 90_000)
        let answer = try PlainPFSyncPair.messages(pair.sentByBackup).joined()
        #expect(answer.contains { if case .compressedUpdate(let u) = $0 { return u.src.seqLo == 90_000 } else { return false } })
    }
}
