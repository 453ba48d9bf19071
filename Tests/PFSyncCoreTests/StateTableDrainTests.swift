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

    /// The receiver's view of a drain: a key must never be inserted while another state
    /// holds it, and updates and deletes must name the key's holder.
    struct ReceiverModel {
        var holder: [StateLookupKey: StateID] = [:]
        var violations: [String] = []
        var deletes = 0

        mutating func take(_ kind: StateDelta.Kind, _ state: UnsafePointer<PFState>) {
            let key = state.pointee.wireLookupKey
            let id = state.pointee.identity
            switch kind {
            case .delete:
                if holder[key] != id { violations.append("delete of \(id) not holding its key") }
                holder[key] = nil
                deletes += 1
            case .insert:
                if let other = holder[key], other != id { violations.append("insert of \(id) while \(other) holds its key") }
                holder[key] = id
            case .update:
                if holder[key] != id { violations.append("update of \(id) not holding its key") }
            }
        }
    }

    /// Deterministic: the table changes exactly between two chunks of one drain, where a
    /// writer thread may change it. A state whose slot is still ahead of the drain is
    /// removed and its key reinserted (the new state may reuse the slot, which is already
    /// listed); one already handed over is too. Each delete must reach the receiver before
    /// the insert that reuses its key, in this drain or the next.
    @Test(arguments: [1, 2, 5])
    func changesBetweenChunksKeepDeletesBeforeReinserts(afterChunk: Int) {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        let states = 6 * StateTable.drainChunk
        var receiver = ReceiverModel()
        for number in 0..<states { table.insert(Self.state(number)) }
        table.drainAllChanges { kind, state, _, _ in receiver.take(kind, state) }
        for number in 0..<states { table.update(Self.state(number).identity) { $0.packets.forward &+= 1 } }
        let ahead = states - 1
        let behind = 0
        var chunks = 0
        let handed = table.drainAllChanges(withBases: { kind, state, _, _ in receiver.take(kind, state) }) { _ in
            chunks += 1
            guard chunks == afterChunk else { return }
            for number in [ahead, behind] {
                table.remove(Self.state(number).identity)
                table.insert(Self.state(number, generation: 1))
            }
        }
        #expect(chunks == 6)
        #expect(handed > states - 2, "the updates, the deletes and maybe a reinsert")
        table.drainAllChanges { kind, state, _, _ in receiver.take(kind, state) }
        #expect(receiver.violations == [])
        #expect(receiver.deletes == 2)
        #expect(receiver.holder.count == states)
        #expect(receiver.holder[Self.state(ahead).wireLookupKey] == Self.state(ahead, generation: 1).identity)
        #expect(receiver.holder[Self.state(behind).wireLookupKey] == Self.state(behind, generation: 1).identity)
        #expect(table.pendingChangeCount == 0)
        #expect(table.invariantViolations() == [])
    }

    /// Within a shard (the order the table promises; across shards the receiver's insert
    /// evicts a stale key holder). Real interleavings with a writer thread; how many
    /// chunks a drain spans depends on the machine, so the deterministic cases are in
    /// ``changesBetweenChunksKeepDeletesBeforeReinserts(afterChunk:)``.
    @Test func aDeleteIsHandedBeforeTheInsertThatReusesItsKey() {
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 64)
        let states = 3000
        for number in 0..<states { table.insert(Self.state(number)) }
        var receiver = ReceiverModel()
        table.drainAllChanges { kind, state, _, _ in receiver.take(kind, state) }
        var slow: UInt64 = 0
        Self.race(table) {
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
            // A slow receiver, so that drains tend to find several chunks of changed slots.
            var spin = state.pointee.identity.id
            for _ in 0..<300 { spin = spin &* 6_364_136_223_846_793_005 &+ 1 }
            slow &+= spin
            receiver.take(kind, state)
        }
        #expect(receiver.violations == [])
        #expect(receiver.deletes >= 1, "the writer removed states")
        #expect(receiver.holder.count == states)
        #expect(table.count == states)
        #expect(table.pendingChangeCount == 0)
        #expect(table.invariantViolations() == [])
    }
}

/// Set by the writer thread of ``StateTableDrainTests/race`` when it is done.
final class WriterFlag: Sendable {
    let done = Atomic<Bool>(false)
}
