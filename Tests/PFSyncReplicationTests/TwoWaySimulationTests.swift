import PFSyncCore
import Testing
@testable import PFSyncReplication

/// Both nodes own states and change each other's, over a network that drops, duplicates
/// and reorders datagrams, and one of them restarts: both tables must end equal, counters
/// included. (Bulk answers leave out what came from the asking peer's run, see
/// ``StateTable/clearPeerMarks()``: whatever the losses, what either side lacks must still
/// reach it; and an older copy of a state must not take its counters back.)
@Suite struct TwoWaySimulationTests {
    /// Engines `a` and `b` on the simulated network.
    final class Link {
        var a: ReplicationEngine
        let b: ReplicationEngine
        var network: EngineSimulationTests.Network
        var now: UInt64 = 1_000_000
        let stateNow: UInt32 = 1000
        /// While set, everything B sends is lost (a link down one way).
        var bToADown = false

        init(a: ReplicationEngine, b: ReplicationEngine, seed: UInt64) {
            self.a = a
            self.b = b
            network = EngineSimulationTests.Network(
                random: SplitMix(seed: seed), lossPercent: 10, duplicatePercent: 3, reorderPercent: 3)
        }

        func start(_ engine: ReplicationEngine) {
            let toB = engine !== b
            engine.start(nowNanos: now) { send($0, toB: toB) }
        }

        func send(_ bytes: UnsafeRawBufferPointer, toB: Bool) {
            if !toB && bToADown { return }
            network.send(bytes, toBackup: toB, now: now)
        }

        /// `ticks` steps of 2 ms: both tick, and what is due is delivered.
        func run(ticks: Int) {
            for _ in 0..<ticks {
                now += 2_000_000
                a.tick(nowNanos: now, stateNow: stateNow) { send($0, toB: true) }
                b.tick(nowNanos: now, stateNow: stateNow) { send($0, toB: false) }
                for (toB, bytes) in network.due(now: now) {
                    // What the receiver answers goes the other way.
                    let to = toB ? b : a
                    bytes.withUnsafeBytes {
                        to.receive($0, nowNanos: now, stateNow: stateNow) { send($0, toB: !toB) }
                    }
                    to.acknowledgeDelivered(nowNanos: now) { send($0, toB: !toB) }
                }
            }
        }

        /// Ids on one side only, and states whose replicated fields differ.
        func differences() -> Int {
            let left = EngineSimulationTests.comparable(a.table)
            let right = EngineSimulationTests.comparable(b.table)
            let ids = Set(left.keys).union(right.keys)
            return ids.count { left[$0] != right[$0] }
        }
    }

    /// An engine that keeps only 64 frames for retransmission (the least `sync.resend_frames`
    /// allows): a gap longer than that is answered with a bulk update (a resync).
    static func engine(node: UInt32, epoch: UInt32) -> ReplicationEngine {
        var config = EngineConfig(nodeID: node, epoch: epoch)
        config.resendFrames = 64
        return ReplicationEngine(config: config, table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
    }

    /// A state of `creator`'s with a flow of its own.
    static func state(_ index: Int, creator: UInt32, random: inout SplitMix) -> PFState {
        var state = EngineSimulationTests.state(index, random: &random)
        state.identity = StateID(id: UInt64(index), creatorID: creator)
        return state
    }

    @Test(arguments: [UInt64(4), 17, 42, 5, 6])
    func bothTablesEndEqualThroughLossChangesAndARestart(seed: UInt64) {
        var random = SplitMix(seed: seed &* 7 &+ 1)
        let link = Link(a: Self.engine(node: 1, epoch: 10), b: Self.engine(node: 2, epoch: 20), seed: seed)
        // Only a bulk carries these (not recorded as changes).
        for index in 0..<1_000 { link.a.table.insert(Self.state(index, creator: 1, random: &random), recordChange: false) }
        for index in 1_000..<1_200 { link.b.table.insert(Self.state(index, creator: 2, random: &random), recordChange: false) }
        link.start(link.a)
        link.start(link.b)
        link.run(ticks: 3_000)
        #expect(link.a.table.count == 1_200)
        #expect(link.b.table.count == 1_200)
        #expect(link.differences() == 0, "after both bulks")

        // Each side changes some of the other's states and adds new ones, under loss. For
        // a while B's frames do not reach A at all, and B changes every state it took from
        // A: more frames than B keeps for retransmission, so A gets them back by a resync
        // (B's bulk), which must hold those states although they came from A's run.
        for round in 0..<20 {
            link.bToADown = (5..<8).contains(round)
            for tick in 0..<25 {
                // During the outage B changes every state it took from A, every tick.
                let step = link.bToADown ? 1 : 1_000
                for index in stride(from: (round * 25 + tick) % step, to: 1_000, by: step) {
                    link.b.table.update(StateID(id: UInt64(index), creatorID: 1), recordChange: true) {
                        $0.packets.forward += 3
                    }
                }
                let mine = 1_000 + (round * 25 + tick) % 200
                link.a.table.update(StateID(id: UInt64(mine), creatorID: 2), recordChange: true) { $0.bytes.reverse += 7 }
                link.run(ticks: 1)
            }
            link.b.table.insert(Self.state(2_000 + round, creator: 2, random: &random))
            link.a.table.insert(Self.state(3_000 + round, creator: 1, random: &random))
        }
        link.run(ticks: 3_000)
        #expect(link.b.currentCounters[.resyncs] > 0, "B answered NACKs it could not serve with a bulk")
        #expect(link.differences() == 0, "after the outage")
        // Every node asks for the other's table again now and then (a resync).
        link.a.requestBulk(nowNanos: link.now) { link.network.send($0, toBackup: true, now: link.now) }
        link.run(ticks: 3_000)
        #expect(link.a.table.count == 1_240)
        #expect(link.differences() == 0, "after the changes")

        // A restarts: a new run with an empty table takes everything from B, the states
        // B received from A's first run included.
        link.a = Self.engine(node: 1, epoch: 11)
        link.start(link.a)
        link.run(ticks: 4_000)
        #expect(link.a.table.count == 1_240)
        #expect(link.differences() == 0, "after A's restart")
        #expect(link.network.sent > 0)
    }
}
