import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// A flow whose state is deleted and recreated between two flushes (a reused port): the
/// new state may sit in another shard than the old one, and the peer must still end with
/// the new state, which needs the deletion to arrive first.
@Suite struct FlushOrderTests {
    static let key = try! SyncKey(bytes: Array("a test key of thirty-two bytes!!".utf8))

    static func state(id: UInt64) -> PFState {
        let key = StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0001), addr1: IPAddress(ipv4: 0xC000_0201), port0: 40_000, port1: 443)
        var state = PFState(identity: StateID(id: id, creatorID: 1), proto: 6, wireKey: key)
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.expire = 1_000_000
        return state
    }

    @Test(arguments: 2...17)
    func aRecreatedFlowReachesThePeer(newID: Int) {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 100)
        primaryConfig.requestBulkOnStart = false
        var backupConfig = EngineConfig(nodeID: 2, epoch: 200)
        backupConfig.requestBulkOnStart = false
        let primary = ReplicationEngine(config: primaryConfig, table: StateTable(shardCount: 4), key: Self.key)
        let backup = ReplicationEngine(config: backupConfig, table: StateTable(shardCount: 4), key: Self.key)
        func exchange() {
            var datagrams: [[UInt8]] = []
            primary.flush(nowNanos: 1_000, stateNow: 1000) { datagrams.append(Array($0)) }
            for datagram in datagrams {
                datagram.withUnsafeBytes { backup.receive($0, nowNanos: 1_000, stateNow: 1000) { _ in } }
            }
        }
        let old = Self.state(id: 1)
        #expect(primary.table.insert(old) == .inserted)
        exchange()
        #expect(backup.table.state(for: old.identity) != nil)

        let new = Self.state(id: UInt64(newID))
        #expect(primary.table.remove(old.identity) != nil)
        #expect(primary.table.insert(new) == .inserted)
        exchange()
        #expect(backup.table.state(for: old.identity) == nil)
        #expect(backup.table.state(for: new.identity) != nil)
        #expect(backup.currentCounters[.badstate] == 0)
    }
}
