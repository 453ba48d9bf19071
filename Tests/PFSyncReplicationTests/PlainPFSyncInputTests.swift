import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// pfsync's input checks and their counters, in its order: ipackets, badif, badttl, then
/// the pfsync header (hdrops, badver, badlen, badact).
@Suite struct PlainPFSyncInputTests {
    func engine() -> PlainPFSyncEngine {
        var config = EngineConfig(nodeID: 2, epoch: 1)
        config.requestBulkOnStart = false
        return PlainPFSyncEngine(config: config, table: StateTable(shardCount: 2))
    }

    func insertPacket(_ index: Int = 1) -> [UInt8] {
        var writer = PFSyncPacketWriter(version: .freeBSD)
        _ = writer.append(.insert(PlainPFSyncPair.state(index).wireTimes(now: 10_000), .freeBSD1400))
        return writer.finish()
    }

    func receive(_ engine: PlainPFSyncEngine, _ datagram: [UInt8], onSyncInterface: Bool = true) -> Int {
        var answers = 0
        datagram.withUnsafeBytes {
            engine.receive(ipDatagram: $0, onSyncInterface: onSyncInterface, nowNanos: 1, stateNow: 10_000) { _ in
                answers += 1
            }
        }
        return answers
    }

    @Test func goodPacketInsertsItsState() {
        let engine = engine()
        _ = receive(engine, PlainPFSyncPair.ipv4(insertPacket()))
        #expect(engine.table.count == 1)
        #expect(engine.currentCounters[.ipackets] == 1)
        #expect(engine.currentCounters[.statesCreated] == 1)
        #expect(engine.status.peerID == 1)
    }

    @Test func wrongInterfaceIsBadifAndWrongTTLIsBadttl() {
        let engine = engine()
        _ = receive(engine, PlainPFSyncPair.ipv4(insertPacket()), onSyncInterface: false)
        _ = receive(engine, PlainPFSyncPair.ipv4(insertPacket(), ttl: 64))
        _ = receive(engine, PlainPFSyncPair.ipv4(insertPacket(), ttl: 254))
        let counters = engine.currentCounters
        #expect(counters[.ipackets] == 3)
        #expect(counters[.badif] == 1)
        #expect(counters[.badttl] == 2)
        #expect(engine.table.count == 0)
    }

    @Test func malformedPacketsAreCountedAndDropped() {
        let engine = engine()
        // IP header damaged: too short, not version 4, IHL beyond the bytes.
        _ = receive(engine, [0x45, 0, 0])
        _ = receive(engine, PlainPFSyncPair.ipv4(insertPacket(), version: 6))
        var longIHL = PlainPFSyncPair.ipv4([])
        longIHL[0] = 0x4F
        _ = receive(engine, longIHL)
        #expect(engine.currentCounters[.hdrops] == 3)
        // pfsync header shorter than 20 bytes.
        _ = receive(engine, PlainPFSyncPair.ipv4([5, 0, 0, 10]))
        #expect(engine.currentCounters[.hdrops] == 4)
        // OpenBSD's version 6 and nonsense versions.
        var version6 = insertPacket()
        version6[0] = 6
        _ = receive(engine, PlainPFSyncPair.ipv4(version6))
        var version9 = insertPacket()
        version9[0] = 9
        _ = receive(engine, PlainPFSyncPair.ipv4(version9))
        #expect(engine.currentCounters[.badver] == 2)
        // Header len beyond the bytes received.
        var truncated = insertPacket()
        truncated.removeLast(100)
        _ = receive(engine, PlainPFSyncPair.ipv4(truncated))
        #expect(engine.currentCounters[.badlen] == 1)
        // An unknown action ends a FreeBSD packet.
        var unknown = [UInt8](repeating: 0, count: 28)
        unknown[0] = 5
        unknown[3] = 28
        unknown[20] = 99
        unknown[23] = 1
        _ = receive(engine, PlainPFSyncPair.ipv4(unknown))
        #expect(engine.currentCounters[.badact] == 1)
        #expect(engine.currentCounters[.ipackets] == 8)
        #expect(engine.table.count == 0)
        // Random bytes never trap.
        var random = SystemRandomNumberGenerator()
        for length in 0..<400 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = receive(engine, bytes)
            _ = receive(engine, PlainPFSyncPair.ipv4(bytes))
        }
        #expect(engine.currentCounters[.ipackets] == 808)
    }

    @Test func ipv4HeaderParsing() {
        let datagram = PlainPFSyncPair.ipv4([1, 2, 3], ttl: 77)
        let header = datagram.withUnsafeBytes { PlainIPv4Header(parsing: $0) }
        #expect(header?.headerLength == 20)
        #expect(header?.ttl == 77)
        #expect(header?.protocolNumber == 240)
        #expect(header?.source == 0x0A00_0001)
        #expect(header?.destination == 0xE000_00F0)
    }
}
