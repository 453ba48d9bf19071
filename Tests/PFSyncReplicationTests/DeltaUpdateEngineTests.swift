import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Delta updates (UPD_D) between two engines: used once the peer's HELLO allows them,
/// they keep the tables equal on clean and lossy networks, and a delta the backup cannot
/// place (no base, or another version) falls back to UPD_REQ and a full state.
@Suite struct DeltaUpdateEngineTests {
    let simulation = EngineSimulationTests()

    @Test func cleanNetworkConvergesThroughDeltas() {
        let (primary, backup, _) = simulation.run(loss: 0, duplicate: 0, reorder: 0, seed: 5, operations: 500)
        let sent = primary.currentCounters.actionsOut[ReplicationCounters.deltaUpdateActionIndex]
        let received = backup.currentCounters.actionsIn[ReplicationCounters.deltaUpdateActionIndex]
        #expect(sent > 500)
        #expect(received == sent)
        #expect(backup.currentCounters[.deltaMismatches] == 0)
        #expect(EngineSimulationTests.comparable(primary.table) == EngineSimulationTests.comparable(backup.table))
    }

    @Test(arguments: [UInt64(7), 19])
    func lossyNetworkConvergesThroughDeltas(seed: UInt64) {
        let (primary, backup, _) = simulation.run(loss: 10, duplicate: 5, reorder: 10, seed: seed, operations: 800)
        #expect(primary.currentCounters.actionsOut[ReplicationCounters.deltaUpdateActionIndex] > 500)
        #expect(primary.currentCounters[.retransmitted] > 0)
        #expect(EngineSimulationTests.comparable(primary.table) == EngineSimulationTests.comparable(backup.table))
    }

    /// A pair whose backup does (or does not) take delta updates.
    static func pair(backupTakesDeltas: Bool = true) -> DirectEnginePair {
        var backupConfig = EngineConfig(nodeID: 2, epoch: 20)
        backupConfig.deltaUpdates = backupTakesDeltas
        return DirectEnginePair(backupConfig: backupConfig)
    }

    static func advance(_ table: StateTable, _ id: StateID, by amount: UInt32) {
        table.update(id) { state in
            state.src.seqLo &+= amount
            state.src.seqHi &+= amount
            state.packets.forward &+= 1
            state.bytes.forward &+= UInt64(amount)
        }
    }

    @Test func firstUpdateIsADeltaThenAMismatchRecovers() throws {
        let pair = Self.pair()
        var random = SplitMix(seed: 3)
        let state = EngineSimulationTests.state(1, random: &random)
        pair.primary.table.insert(state)
        pair.settle()
        #expect(pair.backup.table.count == 1)

        // The INS set both bases: the first update is already a delta, and so are the next.
        Self.advance(pair.primary.table, state.identity, by: 1460)
        pair.settle()
        #expect(pair.deltasSent() == 1)
        #expect(pair.backup.currentCounters[.deltaMismatches] == 0)
        Self.advance(pair.primary.table, state.identity, by: 1460)
        pair.settle()
        Self.advance(pair.primary.table, state.identity, by: 700)
        pair.settle()
        #expect(pair.deltasSent() == 3)
        #expect(pair.backup.table.state(for: state.identity)?.src == pair.primary.table.state(for: state.identity)?.src)

        // The backup loses its base: the next delta is refused, the full state is asked for
        // and the base is rebuilt by an UPD_CC; the one after is a delta again.
        pair.backup.table.updateWithBase(state.identity, side: .received) { _, base in base = .none }
        Self.advance(pair.primary.table, state.identity, by: 100)
        pair.settle()
        #expect(pair.backup.currentCounters[.deltaMismatches] == 1)
        #expect(pair.backup.currentCounters[.updateRequestsSent] == 1)
        #expect(pair.backup.table.state(for: state.identity)?.src == pair.primary.table.state(for: state.identity)?.src)
        Self.advance(pair.primary.table, state.identity, by: 100)
        pair.settle()
        #expect(pair.deltasSent() == 4, "the refused one; the full state answer cleared the sent base")
        Self.advance(pair.primary.table, state.identity, by: 100)
        pair.settle()
        #expect(pair.deltasSent() == 5)
        #expect(pair.backup.currentCounters[.deltaMismatches] == 1)
        let primaryState = try #require(pair.primary.table.state(for: state.identity))
        let backupState = try #require(pair.backup.table.state(for: state.identity))
        #expect(backupState.src == primaryState.src)
        #expect(backupState.packets == primaryState.packets)
        #expect(backupState.bytes == primaryState.bytes)
    }

    /// A DATA payload: a pfsync header whose `len` (20) ends the packet, then `section`.
    static func payload(section: [UInt8]) -> [UInt8] {
        [5, 0, 0, 20] + [UInt8](repeating: 0, count: 16) + section
    }

    /// A delta section moving each state's src.seqLo on by 10 from base version 0.
    static func section(_ ids: [StateID]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: DeltaSection.headerSize + ids.count * DeltaSection.maxRecordSize)
        let length = bytes.withUnsafeMutableBytes { raw -> Int in
            var context = DeltaContext()
            var offset = DeltaSection.headerSize
            for id in ids {
                var update = DeltaUpdate(identity: id, version: 1)
                update.fields = [.srcSeqLo]
                update.srcSeqLo = 10
                offset = DeltaSection.encode(update, context: &context, into: raw.baseAddress!, at: offset)
            }
            DeltaSection.writeHeader(count: ids.count, into: raw.baseAddress!, at: 0)
            return offset
        }
        return Array(bytes[0..<length])
    }

    /// The records before a malformed one are applied (at every boundary of the table's
    /// pipeline steps), the error counts once as `badlen`, and nothing after it is touched;
    /// bytes left over after the last record are an error too.
    @Test(arguments: [0, 1, 31, 32, 33, 64, 69])
    func aSectionCutInsideARecordAppliesTheRecordsBefore(intact: Int) throws {
        let pair = Self.pair()
        var random = SplitMix(seed: 11)
        let states = (0..<70).map { EngineSimulationTests.state(100 + $0, random: &random) }
        for state in states { pair.primary.table.insert(state) }
        pair.settle()  // the INS made each received base version 0
        let before = states.map { pair.backup.table.state(for: $0.identity)?.src.seqLo }
        let whole = Self.section(states.map(\.identity))
        let prefix = Self.section(Array(states.prefix(intact).map(\.identity)))
        // The announced count of the whole section, the records of the prefix, then half
        // of the next record.
        let nextRecord = Self.section([states[intact].identity]).dropFirst(DeltaSection.headerSize)
        var cut = Array(whole.prefix(DeltaSection.headerSize)) + prefix.dropFirst(DeltaSection.headerSize)
        cut += nextRecord.prefix(nextRecord.count / 2)
        let badlenBefore = pair.backup.currentCounters[.badlen]
        Self.payload(section: cut).withUnsafeBytes { pair.backup.applyDeltaSection($0, stateNow: pair.stateNow) }
        #expect(pair.backup.currentCounters[.badlen] == badlenBefore + 1)
        for (index, state) in states.enumerated() {
            let now = pair.backup.table.state(for: state.identity)?.src.seqLo
            let expected = index < intact ? before[index].map { $0 &+ 10 } : before[index]
            #expect(now == expected, "state \(index)")
        }

        let fresh = Self.pair()
        for state in states { fresh.primary.table.insert(state) }
        fresh.settle()
        let freshBadlen = fresh.backup.currentCounters[.badlen]
        Self.payload(section: whole + [0]).withUnsafeBytes { fresh.backup.applyDeltaSection($0, stateNow: fresh.stateNow) }
        #expect(fresh.backup.currentCounters[.badlen] == freshBadlen + 1, "a byte left over")
        #expect(fresh.backup.currentCounters[.deltaMismatches] == 0)
        for state in states {
            let primarySeq = try #require(fresh.primary.table.state(for: state.identity)).src.seqLo
            #expect(fresh.backup.table.state(for: state.identity)?.src.seqLo == primarySeq &+ 10)
        }
    }

    @Test func aPeerThatDoesNotTakeDeltasGetsUpdCc() {
        let pair = Self.pair(backupTakesDeltas: false)
        var random = SplitMix(seed: 4)
        let state = EngineSimulationTests.state(2, random: &random)
        pair.primary.table.insert(state)
        pair.settle()
        for _ in 0..<5 {
            Self.advance(pair.primary.table, state.identity, by: 1000)
            pair.settle()
        }
        #expect(pair.deltasSent() == 0)
        #expect(pair.primary.currentCounters.actionsOut[PFSyncMessage.compressedUpdate(CompressedUpdate(identity: state.identity)).actionIndex] == 5)
        #expect(pair.backup.table.state(for: state.identity)?.src == pair.primary.table.state(for: state.identity)?.src)
    }

    @Test func deltasAreSmallOnTheWire() {
        let pair = Self.pair()
        var random = SplitMix(seed: 8)
        let states = (0..<400).map { EngineSimulationTests.state($0, random: &random) }
        for state in states { pair.primary.table.insert(state) }
        pair.settle()
        for state in states { Self.advance(pair.primary.table, state.identity, by: 1460) }
        pair.settle()
        let before = pair.primary.currentCounters[.bytesSent]
        for state in states { Self.advance(pair.primary.table, state.identity, by: 1460) }
        pair.primary.flush(nowNanos: pair.now, stateNow: pair.stateNow) { pair.toBackup.append(Array($0)) }
        let bytes = pair.primary.currentCounters[.bytesSent] - before
        pair.settle()
        #expect(pair.deltasSent() == 800, "the first updates after the INS were deltas too")
        // Each delta: mask, version, id difference, seqLo and seqHi differences, two packet
        // and two byte increments: about 13 bytes, plus the frame's header and tag.
        #expect(bytes < 400 * 20)
        #expect(EngineSimulationTests.comparable(pair.primary.table) == EngineSimulationTests.comparable(pair.backup.table))
    }

    /// Both nodes update the same state at the same moment (both see its packets, or a
    /// handover): their deltas cross on the wire. Each direction has its own base, so
    /// neither is refused and no full state is asked for.
    @Test func crossingDeltasNeedNoFullState() throws {
        let pair = Self.pair()
        var random = SplitMix(seed: 21)
        let state = EngineSimulationTests.state(3, random: &random)
        pair.primary.table.insert(state)
        pair.settle()
        // Each side's first update of the state goes as UPD_CC (no base yet).
        Self.advance(pair.primary.table, state.identity, by: 1000)
        Self.advance(pair.backup.table, state.identity, by: 10)
        pair.settle()
        for round in 0..<5 {
            Self.advance(pair.primary.table, state.identity, by: 1460)
            pair.backup.table.update(state.identity) { local in
                local.dst.seqLo &+= 100
                local.packets.reverse &+= 1
            }
            pair.settle()
            #expect(pair.backup.currentCounters[.deltaMismatches] == 0, "round \(round)")
            #expect(pair.primary.currentCounters[.deltaMismatches] == 0, "round \(round)")
        }
        #expect(pair.deltasSent() >= 5)
        #expect(pair.backup.currentCounters.actionsOut[ReplicationCounters.deltaUpdateActionIndex] >= 5)
        #expect(pair.backup.currentCounters[.updateRequestsSent] == 0)
        #expect(pair.primary.currentCounters[.updateRequestsSent] == 0)
        let primaryState = try #require(pair.primary.table.state(for: state.identity))
        let backupState = try #require(pair.backup.table.state(for: state.identity))
        #expect(backupState.src.seqLo == primaryState.src.seqLo)
        #expect(backupState.dst.seqLo == primaryState.dst.seqLo)
    }
}
