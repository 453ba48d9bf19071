import Dispatch
import Foundation
import Synchronization
import Testing
@testable import PFSyncCore

/// The drain holds a shard lock for at most ``StateTable/drainChunk`` slots at a time; a
/// writer keeps changing states in between. Every change must still be handed over
/// exactly once (counted in the deltas' `changes`), in an order that keeps a delete before
/// the insert that reuses its slot.
@Suite struct StateTableDrainTests {
    static func state(_ number: Int, generation: Int = 0) -> PFState {
        TableFixtures.state(id: UInt64(number) | UInt64(generation) << 32, wire: TableFixtures.key(number, port: number))
    }

    @Test func oneDrainOfAShardWithManyChunksHandsEverySlotOnce() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        for number in 0..<(5 * StateTable.drainChunk + 3) { table.insert(Self.state(number)) }
        for number in stride(from: 0, to: 5 * StateTable.drainChunk, by: 2) {
            table.update(Self.state(number).identity) { $0.packets.forward &+= 1 }
        }
        var handed: [StateID: UInt32] = [:]
        table.drainChanges(shard: 0) { kind, state, changes in
            #expect(kind == .insert)
            #expect(handed[state.pointee.identity] == nil, "handed once")
            handed[state.pointee.identity] = changes
        }
        #expect(handed.count == 5 * StateTable.drainChunk + 3)
        #expect(handed.values.reduce(0, +) == UInt32(5 * StateTable.drainChunk + 3 + 5 * StateTable.drainChunk / 2))
        #expect(table.pendingChangeCount == 0)
        #expect(table.invariantViolations() == [])
        var again = 0
        table.drainChanges(shard: 0) { _, _, _ in again += 1 }
        #expect(again == 0)
    }

    @Test func drainingAllShardsInTurnHandsWhatShardByShardDrainsHand() {
        func prepared() -> StateTable {
            let table = StateTable(shardCount: 4, initialCapacityPerShard: 64, hashSeed: 3)
            for number in 0..<(20 * StateTable.drainChunk) { table.insert(Self.state(number)) }
            for shard in 0..<table.shardCount { table.drainChanges(shard: shard) { _, _, _ in } }
            var rng = SeededGenerator(seed: 4)
            for step in 0..<5000 {
                let number = rng.below(20 * StateTable.drainChunk)
                if step % 97 == 0 {
                    table.remove(Self.state(number).identity)
                    table.insert(Self.state(number))
                } else {
                    table.update(Self.state(number).identity) { $0.packets.forward &+= 1 }
                }
            }
            return table
        }
        struct Handed: Hashable {
            let kind: StateDelta.Kind
            let id: StateID
            let changes: UInt32
        }
        let inTurn = prepared()
        var all: [Handed] = []
        let count = inTurn.drainAllChanges { kind, state, _, changes in
            all.append(Handed(kind: kind, id: state.pointee.identity, changes: changes))
        }
        let byShard = prepared()
        var perShard: [[Handed]] = Array(repeating: [], count: byShard.shardCount)
        for shard in 0..<byShard.shardCount {
            byShard.drainChanges(shard: shard) { kind, state, changes in
                perShard[shard].append(Handed(kind: kind, id: state.pointee.identity, changes: changes))
            }
        }
        #expect(count == all.count)
        #expect(all.count > 4 * StateTable.drainChunk)
        // The same deltas, and within each shard in the same order.
        for shard in 0..<byShard.shardCount {
            #expect(all.filter { inTurn.shard(of: $0.id) == shard } == perShard[shard])
        }
        #expect(inTurn.pendingChangeCount == 0)
        #expect(inTurn.invariantViolations() == [])
    }

    /// Runs `write` on a thread of its own while this thread drains every shard until the
    /// writer is done, then once more; `handle` sees every delta, on this thread. Returns
    /// the most deltas one drain of a shard handed over.
    @discardableResult
    static func race(
        _ table: StateTable, write: @escaping @Sendable () -> Void,
        handle: (StateDelta.Kind, UnsafePointer<PFState>, UInt32) -> Void
    ) -> Int {
        let flag = WriterFlag()
        var most = 0
        var flip = false
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            write()
            flag.done.store(true, ordering: .releasing)
            finished.signal()
        }
        writer.start()
        func drainAll() {
            // Shard by shard, and all shards in turn (what the engine uses) on alternate passes.
            if flip {
                for shard in 0..<table.shardCount { most = max(most, table.drainChanges(shard: shard, handle)) }
            } else {
                most = max(most, table.drainAllChanges { kind, state, _, changes in handle(kind, state, changes) })
            }
            flip.toggle()
        }
        while !flag.done.load(ordering: .acquiring) { drainAll() }
        finished.wait()
        drainAll()
        return most
    }

    @Test func aWriterRacingTheDrainLosesNoChange() {
        let table = StateTable(shardCount: 2, initialCapacityPerShard: 64)
        let states = 600
        let updates = 200_000
        for number in 0..<states { table.insert(Self.state(number)) }
        var changes: UInt64 = 0
        var handed = 0
        Self.race(table) {
            var rng = SeededGenerator(seed: 9)
            for _ in 0..<updates {
                table.update(Self.state(rng.below(states)).identity) { $0.packets.forward &+= 1 }
            }
        } handle: { _, _, count in
            changes += UInt64(count)
            handed += 1
        }
        #expect(changes == UInt64(states + updates), "every change counted once, coalesced or not")
        #expect(handed >= states)
        #expect(table.pendingChangeCount == 0)
        #expect(table.invariantViolations() == [])
    }

    /// Within a shard (the order the table promises; across shards the receiver's insert
    /// evicts a stale key holder).
    @Test func aDeleteIsHandedBeforeTheInsertThatReusesItsKey() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        let states = 3000
        for number in 0..<states { table.insert(Self.state(number)) }
        // The receiver's view: a key must never be inserted while another state holds it.
        var holder: [StateLookupKey: StateID] = [:]
        for shard in 0..<table.shardCount {
            table.drainChanges(shard: shard) { _, state, _ in holder[state.pointee.wireLookupKey] = state.pointee.identity }
        }
        var violations = 0
        var deletes = 0
        let most = Self.race(table) {
            var rng = SeededGenerator(seed: 10)
            var generation = [Int](repeating: 0, count: states)
            for step in 0..<200_000 {
                let number = rng.below(states)
                if step % 5 == 0 {
                    table.remove(Self.state(number, generation: generation[number]).identity)
                    generation[number] += 1
                    table.insert(Self.state(number, generation: generation[number]))
                } else {
                    table.update(Self.state(number, generation: generation[number]).identity) { $0.packets.forward &+= 1 }
                }
            }
        } handle: { kind, state, _ in
            // A slow receiver: each drain then finds many changed slots (several chunks).
            var spin = state.pointee.identity.id
            for _ in 0..<300 { spin = spin &* 6_364_136_223_846_793_005 &+ 1 }
            if spin == 42 { violations += 1_000_000 }
            let key = state.pointee.wireLookupKey
            let id = state.pointee.identity
            switch kind {
            case .delete:
                if holder[key] != id { violations += 1 }
                holder[key] = nil
                deletes += 1
            case .insert:
                if holder[key] != nil && holder[key] != id { violations += 1 }
                holder[key] = id
            case .update:
                if holder[key] != id { violations += 1 }
            }
        }
        #expect(violations == 0)
        #expect(deletes > 0)
        #expect(most > 4 * StateTable.drainChunk, "drains of several chunks, the writer busy in between")
        #expect(holder.count == states)
        #expect(table.count == states)
        #expect(table.pendingChangeCount == 0)
        #expect(table.invariantViolations() == [])
    }
}

/// Set by the writer thread of ``StateTableDrainTests/race`` when it is done.
final class WriterFlag: Sendable {
    let done = Atomic<Bool>(false)
}
