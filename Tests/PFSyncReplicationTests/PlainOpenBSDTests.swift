import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Plain pfsync with OpenBSD's version 6 (`sync.pfsync_version = 6`): what the engines send
/// is OpenBSD's packet (no EOF, 264-byte states), the backup's table follows the primary's
/// through INS, UPD_C, DEL_C and a bulk update, and FreeBSD's version 5 is refused.
@Suite struct PlainOpenBSDTests {
    static func config(node: UInt32, requestBulk: Bool) -> EngineConfig {
        var config = EngineConfig(nodeID: node, epoch: 1)
        config.pfsyncVersion = .openBSD
        config.stateEncoding = .openBSD
        config.requestBulkOnStart = requestBulk
        config.bulkStatesPerTick = 40
        return config
    }

    @Test func tablesConvergeOverVersion6AndAStartingBackupTakesABulk() throws {
        let pair = PlainPFSyncPair(
            primaryConfig: Self.config(node: 1, requestBulk: false), backupConfig: Self.config(node: 2, requestBulk: true))
        for index in 0..<200 { pair.primaryTable.insert(PlainPFSyncPair.state(index), recordChange: false) }
        pair.start()
        var ticks = 0
        while pair.backup.status.bulk.incoming != .done && ticks < 100 {
            pair.tick()
            ticks += 1
        }
        #expect(pair.backup.status.bulk.incoming == .done)
        #expect(pair.backupTable.count == 200)

        for index in 200..<260 { pair.primaryTable.insert(PlainPFSyncPair.state(index)) }
        for index in stride(from: 0, to: 260, by: 3) {
            pair.primaryTable.update(PlainPFSyncPair.state(index).identity) { state in
                state.src.seqLo &+= 5_000
                state.dst.state = PeerState.finWait2
            }
        }
        for index in stride(from: 1, to: 260, by: 7) { pair.primaryTable.remove(PlainPFSyncPair.state(index).identity) }
        pair.tick()
        #expect(pair.backupTable.count == pair.primaryTable.count)
        #expect(PlainPFSyncPair.comparable(pair.backupTable) == PlainPFSyncPair.comparable(pair.primaryTable))

        var seen: Set<String> = []
        for (packet, messages) in zip(pair.sentByPrimary, try PlainPFSyncPair.messages(pair.sentByPrimary)) {
            #expect(packet[0] == 6)
            #expect(packet.count <= 1480)
            #expect(!messages.contains(.eof), "OpenBSD packets end without EOF")
            for message in messages { seen.insert(message.actionName) }
        }
        #expect(seen.isSuperset(of: ["INS", "UPD", "UPD_C", "DEL_C", "BUS"]), "\(seen)")
        #expect(try PlainPFSyncPair.messages(pair.sentByBackup).joined().allSatisfy { message in
            message == .updateRequest(.bulkRequest) || message.actionName == "UPD_C" || message.actionName == "BUS"
        })
        #expect(pair.backup.currentCounters[.badver] == 0)
    }

    @Test func eachVersionRefusesTheOther() {
        let openBSD = PlainPFSyncPair(
            primaryConfig: EngineConfig(nodeID: 1, epoch: 1), backupConfig: Self.config(node: 2, requestBulk: false))
        openBSD.primaryTable.insert(PlainPFSyncPair.state(1))
        openBSD.tick()
        #expect(openBSD.backupTable.count == 0)
        #expect(openBSD.backup.currentCounters[.badver] > 0)

        let freeBSD = PlainPFSyncPair(
            primaryConfig: Self.config(node: 1, requestBulk: false), backupConfig: EngineConfig(nodeID: 2, epoch: 1))
        freeBSD.primaryTable.insert(PlainPFSyncPair.state(1))
        freeBSD.tick()
        #expect(freeBSD.backupTable.count == 0)
        #expect(freeBSD.backup.currentCounters[.badver] > 0)
    }
}
