import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Two engines joined by a simulated network that drops, duplicates and reorders
/// datagrams: the backup's table must end equal to the primary's.
@Suite struct EngineSimulationTests {
    struct Network {
        var random: SplitMix
        var lossPercent: UInt64
        var duplicatePercent: UInt64
        var reorderPercent: UInt64
        var inFlight: [(deliverAt: UInt64, toBackup: Bool, bytes: [UInt8])] = []
        var sent = 0

        mutating func send(_ bytes: UnsafeRawBufferPointer, toBackup: Bool, now: UInt64) {
            sent += 1
            if random.next() % 100 < lossPercent { return }
            let copies = random.next() % 100 < duplicatePercent ? 2 : 1
            for _ in 0..<copies {
                let delay: UInt64 = random.next() % 100 < reorderPercent ? 3_000_000 : 200_000
                inFlight.append((now + delay, toBackup, Array(bytes)))
            }
        }

        mutating func due(now: UInt64) -> [(toBackup: Bool, bytes: [UInt8])] {
            let ready = inFlight.filter { $0.deliverAt <= now }
            inFlight.removeAll { $0.deliverAt <= now }
            return ready.map { ($0.toBackup, $0.bytes) }
        }
    }

    static let key = try! SyncKey(bytes: Array("a test key of thirty-two bytes!!".utf8))

    static func state(_ index: Int, random: inout SplitMix) -> PFState {
        let key = StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0000 | UInt32(index)), addr1: IPAddress(ipv4: 0xC000_0201),
            port0: UInt16(truncatingIfNeeded: 1024 + index), port1: 443)
        var state = PFState(identity: StateID(id: UInt64(index) << 16 | 0xAB, creatorID: 1), proto: 6, wireKey: key)
        state.src = StatePeer(seqLo: UInt32(truncatingIfNeeded: random.next()), state: PeerState.established)
        state.dst = StatePeer(seqLo: UInt32(truncatingIfNeeded: random.next()), state: PeerState.established)
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.expire = 1_000_000
        state.creation = 500
        return state
    }

    /// What must match between the two tables.
    static func comparable(_ table: StateTable) -> [StateID: [String]] {
        var result: [StateID: [String]] = [:]
        for state in table.allStates() {
            result[state.identity] = [
                "\(state.wireKey)", "\(state.stackKey)", "\(state.src)", "\(state.dst)", "\(state.timeout)",
                "\(state.proto)", "\(state.af)", "\(state.direction)", "\(state.packets)", "\(state.bytes)",
            ]
        }
        return result
    }

    func run(loss: UInt64, duplicate: UInt64, reorder: UInt64, seed: UInt64, operations: Int) -> (
        primary: ReplicationEngine, backup: ReplicationEngine, network: Network
    ) {
        let primaryTable = StateTable(shardCount: 4, hashSeed: 1)
        let backupTable = StateTable(shardCount: 4, hashSeed: 2)
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 100)
        primaryConfig.requestBulkOnStart = false
        let backupConfig = EngineConfig(nodeID: 2, epoch: 200)
        let primary = ReplicationEngine(config: primaryConfig, table: primaryTable, key: Self.key)
        let backup = ReplicationEngine(config: backupConfig, table: backupTable, key: Self.key)
        var network = Network(
            random: SplitMix(seed: seed), lossPercent: loss, duplicatePercent: duplicate, reorderPercent: reorder)
        var random = SplitMix(seed: seed ^ 0x5555)
        var now: UInt64 = 1_000_000
        let stateNow: UInt32 = 1000
        primary.start(nowNanos: now) { network.send($0, toBackup: true, now: now) }
        backup.start(nowNanos: now) { network.send($0, toBackup: false, now: now) }

        var live: [Int] = []
        var nextIndex = 0
        var step = 0
        // Traffic phase, then a quiet phase long enough for NACKs, keepalives and resyncs.
        while step < operations + 8000 {
            step += 1
            now += 1_000_000
            if step <= operations {
                for _ in 0..<8 {
                    let roll = random.next() % 10
                    if roll < 3 || live.isEmpty {
                        primaryTable.insert(Self.state(nextIndex, random: &random))
                        live.append(nextIndex)
                        nextIndex += 1
                    } else if roll < 9 {
                        let index = live[Int(random.next() % UInt64(live.count))]
                        let id = StateID(id: UInt64(index) << 16 | 0xAB, creatorID: 1)
                        let advance = UInt32(truncatingIfNeeded: random.next() % 5000)
                        primaryTable.update(id) { state in
                            state.packets.forward &+= 1
                            state.bytes.forward &+= UInt64(advance)
                            state.src.seqLo &+= advance
                            state.dst.seqLo &+= advance / 2
                        }
                    } else {
                        let position = Int(random.next() % UInt64(live.count))
                        let index = live.remove(at: position)
                        primaryTable.remove(StateID(id: UInt64(index) << 16 | 0xAB, creatorID: 1))
                    }
                }
            }
            for (toBackup, bytes) in network.due(now: now) {
                bytes.withUnsafeBytes { raw in
                    if toBackup {
                        backup.receive(raw, nowNanos: now, stateNow: stateNow) { network.send($0, toBackup: false, now: now) }
                    } else {
                        primary.receive(raw, nowNanos: now, stateNow: stateNow) { network.send($0, toBackup: true, now: now) }
                    }
                }
            }
            if step % 2 == 0 {
                primary.tick(nowNanos: now, stateNow: stateNow) { network.send($0, toBackup: true, now: now) }
                backup.tick(nowNanos: now, stateNow: stateNow) { network.send($0, toBackup: false, now: now) }
            }
        }
        return (primary, backup, network)
    }

    @Test func cleanNetworkConverges() {
        let (primary, backup, _) = run(loss: 0, duplicate: 0, reorder: 0, seed: 1, operations: 500)
        #expect(primary.table.count > 100)
        #expect(Self.comparable(primary.table) == Self.comparable(backup.table))
        let counters = backup.currentCounters
        #expect(counters[.lost] == 0)
        #expect(counters[.badauth] == 0)
        #expect(counters[.statesCreated] > 0)
    }

    @Test(arguments: [UInt64(3), 11, 29])
    func lossyNetworkConvergesWithRetransmissions(seed: UInt64) {
        let (primary, backup, _) = run(loss: 10, duplicate: 5, reorder: 10, seed: seed, operations: 800)
        #expect(primary.table.count > 100)
        #expect(Self.comparable(primary.table) == Self.comparable(backup.table))
        #expect(primary.currentCounters[.retransmitted] > 0)
        #expect(backup.currentCounters[.nacksSent] > 0)
        #expect(backup.currentCounters[.duplicates] > 0)
    }

    @Test func forgedAndGarbageFramesAreCountedAndHarmless() throws {
        let table = StateTable(shardCount: 2)
        let backup = ReplicationEngine(config: EngineConfig(nodeID: 2, epoch: 1), table: table, key: Self.key)
        var forger = SyncFrameSealer(key: try SyncKey(bytes: Array("another key, also thirty-two b!!".utf8)), senderID: 1, epoch: 5)
        var writer = PFSyncPacketWriter(version: .freeBSD)
        var random = SplitMix(seed: 9)
        _ = writer.append(.insert(Self.state(1, random: &random), .freeBSD1400))
        let payload = writer.finish()
        let forged = Array(try payload.withUnsafeBytes { try forger.seal(kind: .data, sequence: 1, payload: $0) })
        var sentBack = 0
        forged.withUnsafeBytes { backup.receive($0, nowNanos: 1, stateNow: 1) { _ in sentBack += 1 } }
        [UInt8](repeating: 0x41, count: 200).withUnsafeBytes { backup.receive($0, nowNanos: 2, stateNow: 1) { _ in } }
        [UInt8]([1, 2, 3]).withUnsafeBytes { backup.receive($0, nowNanos: 3, stateNow: 1) { _ in } }
        let counters = backup.currentCounters
        #expect(counters[.badauth] == 1)
        #expect(counters[.badver] == 1)
        #expect(counters[.hdrops] == 1)
        #expect(table.count == 0)
        #expect(sentBack == 0)

        // A genuine frame, then the same frame replayed much later.
        var sealer = SyncFrameSealer(key: Self.key, senderID: 1, epoch: 5)
        let genuine = Array(try payload.withUnsafeBytes { try sealer.seal(kind: .data, sequence: 1, payload: $0) })
        genuine.withUnsafeBytes { backup.receive($0, nowNanos: 4, stateNow: 1) { _ in } }
        #expect(table.count == 1)
        var oldSealer = SyncFrameSealer(key: Self.key, senderID: 1, epoch: 4)
        let older = Array(try payload.withUnsafeBytes { try oldSealer.seal(kind: .data, sequence: 7, payload: $0) })
        older.withUnsafeBytes { backup.receive($0, nowNanos: 5, stateNow: 1) { _ in } }
        #expect(backup.currentCounters[.badauth] == 2)
    }

    @Test func aJoiningBackupGetsEverythingByBulkUpdate() {
        let primaryTable = StateTable(shardCount: 4)
        var random = SplitMix(seed: 5)
        for index in 0..<3000 { primaryTable.insert(Self.state(index, random: &random), recordChange: false) }
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.bulkStatesPerTick = 500
        let primary = ReplicationEngine(config: primaryConfig, table: primaryTable, key: Self.key)
        let backupTable = StateTable(shardCount: 8)
        let backup = ReplicationEngine(config: EngineConfig(nodeID: 2, epoch: 20), table: backupTable, key: Self.key)
        var toBackup: [[UInt8]] = []
        var toPrimary: [[UInt8]] = []
        backup.start(nowNanos: 0) { toPrimary.append(Array($0)) }
        #expect(backup.status.bulk.incoming == .requested)
        var now: UInt64 = 0
        for _ in 0..<100 {
            now += 1_000_000
            for bytes in toPrimary { bytes.withUnsafeBytes { primary.receive($0, nowNanos: now, stateNow: 50) { toBackup.append(Array($0)) } } }
            toPrimary.removeAll()
            primary.tick(nowNanos: now, stateNow: 50) { toBackup.append(Array($0)) }
            for bytes in toBackup { bytes.withUnsafeBytes { backup.receive($0, nowNanos: now, stateNow: 60) { toPrimary.append(Array($0)) } } }
            toBackup.removeAll()
            backup.tick(nowNanos: now, stateNow: 60) { toPrimary.append(Array($0)) }
        }
        #expect(backup.status.bulk.incoming == .done)
        #expect(backup.status.bulk.statesReceived == 3000)
        #expect(Self.comparable(primaryTable) == Self.comparable(backupTable))
        #expect(primary.currentCounters[.bulkStatesSent] == 3000)
    }
}

@Suite struct EnginePurgeTests {
    @Test func tickSweepsExpiredStatesAndSendsTheirDeletion() throws {
        let table = StateTable(shardCount: 2)
        var random = SplitMix(seed: 1)
        var expiring = EngineSimulationTests.state(1, random: &random)
        expiring.expire = 150
        let lasting = EngineSimulationTests.state(2, random: &random)
        table.insert(expiring, recordChange: false)
        table.insert(lasting, recordChange: false)
        var config = EngineConfig(nodeID: 1, epoch: 1)
        config.requestBulkOnStart = false
        let engine = ReplicationEngine(config: config, table: table, key: EngineSimulationTests.key)
        var frames: [[UInt8]] = []
        engine.tick(nowNanos: 2_000_000_000, stateNow: 100) { frames.append(Array($0)) }
        #expect(table.count == 2)
        engine.tick(nowNanos: 4_000_000_000, stateNow: 200) { frames.append(Array($0)) }
        #expect(table.count == 1)
        #expect(table.state(for: lasting.identity) != nil)
        // The deletion went out as DEL_C.
        var opener = SyncFrameOpener(key: EngineSimulationTests.key)
        var deleted: [StateID] = []
        for frame in frames {
            let opened = try opener.open(frame)
            guard opened.header.kind == .data else { continue }
            for message in try PFSyncPacket.decode(Array(opened.payload)).messages {
                if case .compressedDelete(let id) = message { deleted.append(id) }
            }
        }
        #expect(deleted == [expiring.identity])
    }
}
