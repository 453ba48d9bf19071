import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// pfsync's `defer`: the primary's INS carries PFSTATE_ACK, the backup answers INS_ACK at
/// once, and the hold on the primary is released by it (or by the timeout when the peer
/// never answers).
@Suite struct DeferralTests {
    static let key = try! SyncKey(bytes: Array("a test key of thirty-two bytes!!".utf8))

    final class Pair {
        let acknowledgements = InsertAcknowledgements()
        let primary: ReplicationEngine
        let backup: ReplicationEngine
        var deliverToBackup = true
        var insertsSeenByBackup: [PFState] = []

        init(deferInserts: Bool) {
            var primaryConfig = EngineConfig(nodeID: 1, epoch: 100)
            primaryConfig.requestBulkOnStart = false
            primaryConfig.deferInserts = deferInserts
            primaryConfig.insertAcknowledgements = acknowledgements
            var backupConfig = EngineConfig(nodeID: 2, epoch: 200)
            backupConfig.requestBulkOnStart = false
            primary = ReplicationEngine(config: primaryConfig, table: StateTable(shardCount: 2), key: DeferralTests.key)
            backup = ReplicationEngine(config: backupConfig, table: StateTable(shardCount: 2), key: DeferralTests.key)
        }

        /// Flushes the primary, then delivers its datagrams to the backup and the backup's
        /// answers back (one after the other: an engine is never re-entered from its own send).
        func flushPrimary(now: UInt64) {
            var toBackup: [[UInt8]] = []
            primary.flush(nowNanos: now, stateNow: 1000) { toBackup.append(Array($0)) }
            guard deliverToBackup else { return }
            var toPrimary: [[UInt8]] = []
            for datagram in toBackup {
                datagram.withUnsafeBytes { raw in
                    backup.receive(raw, nowNanos: now, stateNow: 1000) { toPrimary.append(Array($0)) }
                }
            }
            for reply in toPrimary {
                reply.withUnsafeBytes { primary.receive($0, nowNanos: now, stateNow: 1000) { _ in } }
            }
        }
    }

    static func state(_ index: UInt64) -> PFState {
        let key = StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0001), addr1: IPAddress(ipv4: 0xC000_0201),
            port0: UInt16(truncatingIfNeeded: 2000 + index), port1: 443)
        var state = PFState(identity: StateID(id: index, creatorID: 1), proto: 6, wireKey: key)
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.expire = 1_000_000
        return state
    }

    @Test func insertAckReleasesTheHoldAndTheFlagIsNotStored() throws {
        let pair = Pair(deferInserts: true)
        let ids = (1...3).map { UInt64($0) }.map { Self.state($0) }.map { state -> StateID in
            #expect(pair.primary.table.insert(state) == .inserted)
            return state.identity
        }
        let acknowledged = pair.acknowledgements.hold(ids, timeoutNanos: 5_000_000_000) {
            pair.flushPrimary(now: 1_000_000)
        }
        #expect(acknowledged == 3)
        #expect(pair.acknowledgements.counters.acknowledged == 3)
        #expect(pair.acknowledgements.counters.timedOut == 0)
        for id in ids {
            let copy = try #require(pair.backup.table.state(for: id))
            #expect(copy.stateFlags & PFStateFlags.ack == 0)
        }
        #expect(pair.backup.currentCounters.actionsOut[2] == 3)
    }

    @Test func holdEndsAtTheTimeoutWhenThePeerIsSilent() {
        let pair = Pair(deferInserts: true)
        pair.deliverToBackup = false
        let state = Self.state(7)
        #expect(pair.primary.table.insert(state) == .inserted)
        let acknowledged = pair.acknowledgements.hold([state.identity], timeoutNanos: 2_000_000) {
            pair.flushPrimary(now: 1_000_000)
        }
        #expect(acknowledged == 0)
        #expect(pair.acknowledgements.counters.timedOut == 1)
    }

    @Test func withoutDeferNoInsertAckIsAsked() {
        let pair = Pair(deferInserts: false)
        let state = Self.state(9)
        #expect(pair.primary.table.insert(state) == .inserted)
        pair.flushPrimary(now: 1_000_000)
        #expect(pair.backup.table.state(for: state.identity) != nil)
        #expect(pair.backup.currentCounters.actionsOut[2] == 0)
    }
}
