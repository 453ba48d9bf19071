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
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            write()
            flag.done.store(true, ordering: .releasing)
            finished.signal()
        }
        writer.start()
        func drainAll() {
            for shard in 0..<table.shardCount { most = max(most, table.drainChanges(shard: shard, handle)) }
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
