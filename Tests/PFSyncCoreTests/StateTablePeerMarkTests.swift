import Testing
@testable import PFSyncCore

/// States that came whole from the replication peer are marked as its own until they
/// change here; a bulk walk may leave them out.
@Suite struct StateTablePeerMarkTests {
    /// Every state a walk of the whole table copies, marked ones left out or not.
    static func walk(_ table: StateTable, skippingPeerStates: Bool, max: Int = 7) -> Set<UInt64> {
        var copied: [PFState] = []
        for shard in 0..<table.shardCount {
            var cursor: Int? = 0
            while let position = cursor {
                cursor = table.copyStates(
                    shard: shard, from: position, max: max, skippingPeerStates: skippingPeerStates, into: &copied)
            }
        }
        return Set(copied.map(\.identity.id))
    }

    /// 100 states from the peer (ids 0..<100) and 20 of this node's own (ids 100..<120).
    static func tableWithPeerStates() -> StateTable {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 16, hashSeed: 11)
        for number in 0..<100 {
            let state = TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number))
            table.updateOrInsert(state, recordChange: false, fromPeer: true, mergingWith: { _ in })
        }
        for number in 100..<120 {
            table.insert(TableFixtures.state(id: UInt64(number), wire: TableFixtures.key(number)), recordChange: false)
        }
        return table
    }

    @Test func statesFromThePeerAreLeftOutOfAWalkThatSkipsThem() {
        let table = Self.tableWithPeerStates()
        #expect(table.peerStateCount() == 100)
        #expect(Self.walk(table, skippingPeerStates: true) == Set(100..<120))
        #expect(Self.walk(table, skippingPeerStates: false) == Set(0..<120))
        // Marked states are skipped without using up a call's quota: a walk of 1 state per
        // call still ends, and finds the same states.
        #expect(Self.walk(table, skippingPeerStates: true, max: 1) == Set(100..<120))
    }

    @Test func aStateChangedHereIsNoLongerThePeers() {
        let table = Self.tableWithPeerStates()
        // A change recorded for replication (the tracker's), and an insert of our own in a
        // freed slot that a peer state had.
        table.update(StateID(id: 5, creatorID: 1), recordChange: true) { $0.packets.forward += 1 }
        _ = table.remove(StateID(id: 6, creatorID: 1), recordChange: false)
        table.insert(TableFixtures.state(id: 500, wire: TableFixtures.key(500)), recordChange: false)
        // An update from the peer leaves the mark as it was (marked or not).
        table.updateOrInsert(
            TableFixtures.state(id: 7, wire: TableFixtures.key(7)), recordChange: false, fromPeer: true,
            mergingWith: { _ in })
        table.updateOrInsert(
            TableFixtures.state(id: 101, wire: TableFixtures.key(101)), recordChange: false, fromPeer: true,
            mergingWith: { _ in })
        #expect(table.peerStateCount() == 98)
        #expect(Self.walk(table, skippingPeerStates: true) == Set(100..<120).union([5, 500]))
    }

    @Test func clearingTheMarksPutsEveryStateBackInTheWalk() {
        let table = Self.tableWithPeerStates()
        table.clearPeerMarks()
        #expect(table.peerStateCount() == 0)
        #expect(Self.walk(table, skippingPeerStates: true) == Set(0..<120))
    }
}
