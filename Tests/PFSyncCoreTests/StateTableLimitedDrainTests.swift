import Testing
@testable import PFSyncCore

/// A drain with a limit (a sender under flow control) hands over at most that many
/// deltas, leaves the rest pending, and the next drains go on where it stopped: every
/// change is handed over once, coalesced while it waits, and deletes are never held back.
@Suite struct StateTableLimitedDrainTests {
    static func state(_ number: Int, generation: Int = 0) -> PFState {
        TableFixtures.state(id: UInt64(number) | UInt64(generation) << 32, wire: TableFixtures.key(number, port: number))
    }

    @Test func limitedDrainsHandEveryChangeOnceAndCoalesceWhatWaits() {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 64, hashSeed: 21)
        let total = 40 * StateTable.drainChunk + 7
        for number in 0..<total { table.insert(Self.state(number)) }
        var changes: [StateID: UInt32] = [:]
        var drains = 0
        var rng = SeededGenerator(seed: 22)
        var expected = UInt32(total)
        while table.pendingChangeCount > 0 {
            let limit = 1 + rng.below(150)
            let handed = table.drainAllChanges(limit: limit) { kind, state, _, count in
                #expect(kind == .insert)
                #expect(changes[state.pointee.identity] == nil, "handed once")
                changes[state.pointee.identity] = count
            }
            #expect(handed <= limit)
            #expect(handed > 0, "a limited drain makes progress")
            drains += 1
            // Changes to states still waiting coalesce into their pending insert.
            for _ in 0..<5 {
                let number = rng.below(total)
                if changes[Self.state(number).identity] == nil {
                    table.update(Self.state(number).identity) { $0.packets.forward &+= 1 }
                    expected += 1
                }
            }
            #expect(drains < 10 * total, "the drains end")
        }
        #expect(changes.count == total)
        #expect(changes.values.reduce(0, +) == expected)
        #expect(table.invariantViolations() == [])
    }

    @Test func aStateChangedAgainAfterItsLimitedDrainIsHandedAgainLater() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        for number in 0..<100 { table.insert(Self.state(number)) }
        var first: [StateID] = []
        #expect(table.drainAllChanges(limit: 10) { _, state, _, _ in first.append(state.pointee.identity) } == 10)
        // One already handed over changes again; it goes behind the 90 still waiting.
        table.update(first[0]) { $0.packets.forward &+= 1 }
        var rest: [(StateDelta.Kind, StateID)] = []
        while table.pendingChangeCount > 0 {
            table.drainAllChanges(limit: 7) { kind, state, _, _ in rest.append((kind, state.pointee.identity)) }
        }
        #expect(rest.count == 91)
        #expect(Set(rest.dropLast().map(\.1)).count == 90)
        #expect(!rest.dropLast().contains { $0.1 == first[0] })
        #expect(rest.last?.0 == .update)
        #expect(rest.last?.1 == first[0])
        #expect(table.invariantViolations() == [])
    }

    @Test func deletesAreHandedOverEvenWhenTheLimitIsReached() {
        let table = StateTable(shardCount: 4, initialCapacityPerShard: 64, hashSeed: 23)
        for number in 0..<200 { table.insert(Self.state(number)) }
        table.drainAllChanges { _, _, _, _ in }
        for number in 0..<50 { table.update(Self.state(number).identity) { $0.packets.forward &+= 1 } }
        for number in 100..<130 { table.remove(Self.state(number).identity) }
        var kinds: [StateDelta.Kind: Int] = [:]
        table.drainAllChanges(limit: 0) { kind, _, _, _ in kinds[kind, default: 0] += 1 }
        #expect(kinds == [.delete: 30])
        table.drainAllChanges(limit: 20) { kind, _, _, _ in kinds[kind, default: 0] += 1 }
        #expect(kinds == [.delete: 30, .update: 20])
        table.drainAllChanges { kind, _, _, _ in kinds[kind, default: 0] += 1 }
        #expect(kinds == [.delete: 30, .update: 50])
        #expect(table.pendingChangeCount == 0)
    }

    /// Two drains of one shard at once (the table allows it): one that overtakes the other
    /// between two of its chunks and removes the front of the list must not make the other
    /// skip, repeat or drop anything.
    @Test func aDrainOvertakenByAnotherLosesNoListedChange() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        let total = 6 * StateTable.drainChunk
        for number in 0..<total { table.insert(Self.state(number)) }
        var handed: [StateID: UInt32] = [:]
        func take(_ state: UnsafePointer<PFState>, _ changes: UInt32) {
            handed[state.pointee.identity, default: 0] += changes
        }
        var overtaken = false
        var expected = UInt32(total)
        _ = table.drainAllChanges(withBases: { _, state, _, changes in take(state, changes) }) { _ in
            guard !overtaken else { return }
            overtaken = true
            // After the first chunk: a state already handed over changes again (listed at
            // the end), then a second drain takes everything and removes the list's front,
            // then more changes are listed.
            table.update(Self.state(0).identity) { $0.packets.forward &+= 1 }
            table.drainAllChanges { _, state, _, changes in take(state, changes) }
            for number in 0..<10 { table.update(Self.state(number).identity) { $0.packets.forward &+= 1 } }
            expected += 11
        }
        #expect(overtaken)
        #expect(table.invariantViolations() == [])
        table.drainAllChanges { _, state, _, changes in take(state, changes) }
        #expect(table.pendingChangeCount == 0)
        #expect(handed.count == total)
        #expect(handed.values.reduce(0, +) == expected)
        #expect(table.invariantViolations() == [])
    }
}
