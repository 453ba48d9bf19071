import Foundation
import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Plain pfsync with OpenBSD's version 6 (`sync.pfsync_version = 6`): what the engines send
/// is OpenBSD's packet (no EOF, 264-byte states), the backup's table follows the primary's
/// through INS, UPD_C, DEL_C and a bulk update, and FreeBSD's version 5 is refused.
@Suite struct PlainOpenBSDTests {
    static func config(node: UInt32, requestBulk: Bool) -> EngineConfig {
        var config = EngineConfig(nodeID: node, epoch: 1)
        config.pfsyncVersion = .openBSD
        config.stateEncoding = .openBSD
        config.requestBulkOnStart = requestBulk
        config.bulkStatesPerTick = 40
        return config
    }

    @Test func tablesConvergeOverVersion6AndAStartingBackupTakesABulk() throws {
        let pair = PlainPFSyncPair(
            primaryConfig: Self.config(node: 1, requestBulk: false), backupConfig: Self.config(node: 2, requestBulk: true))
        for index in 0..<200 { pair.primaryTable.insert(PlainPFSyncPair.state(index), recordChange: false) }
        pair.start()
        var ticks = 0
        while pair.backup.status.bulk.incoming != .done && ticks < 100 {
            pair.tick()
            ticks += 1
        }
        #expect(pair.backup.status.bulk.incoming == .done)
        #expect(pair.backupTable.count == 200)

        for index in 200..<260 { pair.primaryTable.insert(PlainPFSyncPair.state(index)) }
        for index in stride(from: 0, to: 260, by: 3) {
            pair.primaryTable.update(PlainPFSyncPair.state(index).identity) { state in
                state.src.seqLo &+= 5_000
                state.dst.state = PeerState.finWait2
            }
        }
        for index in stride(from: 1, to: 260, by: 7) { pair.primaryTable.remove(PlainPFSyncPair.state(index).identity) }
        pair.tick()
        #expect(pair.backupTable.count == pair.primaryTable.count)
        #expect(PlainPFSyncPair.comparable(pair.backupTable) == PlainPFSyncPair.comparable(pair.primaryTable))

        var seen: Set<String> = []
        for (packet, messages) in zip(pair.sentByPrimary, try PlainPFSyncPair.messages(pair.sentByPrimary)) {
            #expect(packet[0] == 6)
            #expect(packet.count <= 1480)
            #expect(!messages.contains(.eof), "OpenBSD packets end without EOF")
            for message in messages { seen.insert(message.actionName) }
        }
        #expect(seen.isSuperset(of: ["INS", "UPD", "UPD_C", "DEL_C", "BUS"]), "\(seen)")
        #expect(try PlainPFSyncPair.messages(pair.sentByBackup).joined().allSatisfy { message in
            message == .updateRequest(.bulkRequest) || message.actionName == "UPD_C" || message.actionName == "BUS"
        })
        #expect(pair.backup.currentCounters[.badver] == 0)
    }

    @Test func eachVersionRefusesTheOther() {
        let openBSD = PlainPFSyncPair(
            primaryConfig: EngineConfig(nodeID: 1, epoch: 1), backupConfig: Self.config(node: 2, requestBulk: false))
        openBSD.primaryTable.insert(PlainPFSyncPair.state(1))
        openBSD.tick()
        #expect(openBSD.backupTable.count == 0)
        #expect(openBSD.backup.currentCounters[.badver] > 0)

        let freeBSD = PlainPFSyncPair(
            primaryConfig: Self.config(node: 1, requestBulk: false), backupConfig: EngineConfig(nodeID: 2, epoch: 1))
        freeBSD.primaryTable.insert(PlainPFSyncPair.state(1))
        freeBSD.tick()
        #expect(freeBSD.backupTable.count == 0)
        #expect(freeBSD.backup.currentCounters[.badver] > 0)
    }
}

/// OpenBSD packets from the independent encoder (Tools/vectors, Python): the version-6
/// payloads of Tests/Fixtures/pfsync's captures, fed to a plain engine that speaks version 6,
/// do to its table what their JSON lines say (INS, UPD_C, DEL_C, full-state DEL).
@Suite struct PlainOpenBSDFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pfsync")

    /// The pfsync payloads (version 6 only) of the IPv4 / IPv6 protocol-240 packets of a
    /// little-endian pcap: Ethernet (with an 802.1Q tag or not) or Linux cooked v1.
    static func openBSDPayloads(_ name: String) throws -> [[UInt8]] {
        let data = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
        let linkType = Int(data[20]) | Int(data[21]) << 8
        var payloads: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= data.count {
            let length = Int(data[offset + 8]) | Int(data[offset + 9]) << 8 | Int(data[offset + 10]) << 16
            let frame = Array(data[(offset + 16)..<min(data.count, offset + 16 + length)])
            offset += 16 + length
            var at = linkType == 113 ? 14 : 12
            guard frame.count > at + 2 else { continue }
            if frame[at] == 0x81 && frame[at + 1] == 0x00 { at += 4 }
            let etherType = Int(frame[at]) << 8 | Int(frame[at + 1])
            let ip = at + 2
            var payloadStart: Int?
            if etherType == 0x0800, frame.count > ip + 20, frame[ip + 9] == 240 {
                payloadStart = ip + Int(frame[ip] & 0x0F) * 4
            } else if etherType == 0x86DD, frame.count > ip + 40, frame[ip + 6] == 240 {
                payloadStart = ip + 40
            }
            if let start = payloadStart, start < frame.count, frame[start] == 6 { payloads.append(Array(frame[start...])) }
        }
        return payloads
    }

    /// The JSON lines of version-6 messages, in order.
    static func openBSDLines(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["version"] as? Int == 6 ? object : nil
        }
    }

    static func identity(_ line: [String: Any]) -> StateID? {
        guard let id = (line["id"] as? String).flatMap({ UInt64($0.dropFirst(2), radix: 16) }),
            let creator = (line["creatorid"] as? String).flatMap({ UInt32($0.dropFirst(2), radix: 16) })
        else { return nil }
        return StateID(id: id, creatorID: creator)
    }

    @Test func independentlyEncodedOpenBSDPacketsDoWhatTheirLinesSay() throws {
        let table = StateTable(shardCount: 2)
        let engine = PlainPFSyncEngine(config: PlainOpenBSDTests.config(node: 9, requestBulk: false), table: table)
        for name in ["pfsync-ethernet", "pfsync-sll"] {
            let payloads = try Self.openBSDPayloads(name + ".pcap")
            #expect(!payloads.isEmpty, "\(name)")
            for payload in payloads {
                payload.withUnsafeBytes { engine.receive(packet: $0, nowNanos: 1, stateNow: 10_000) { _ in } }
            }
            // What the lines say must be in the table now (the last word on each id wins).
            var present: [StateID: [String: Any]] = [:]
            var gone: Set<StateID> = []
            for line in try Self.openBSDLines(name + ".jsonl") {
                guard let identity = Self.identity(line), let action = line["action"] as? String else { continue }
                switch action {
                case "INS", "UPD":
                    present[identity] = line
                    gone.remove(identity)
                case "DEL", "DEL_C":
                    present[identity] = nil
                    gone.insert(identity)
                default:
                    break
                }
            }
            #expect(!present.isEmpty || !gone.isEmpty)
            for (identity, line) in present {
                let state = try #require(table.state(for: identity), "\(name): \(identity) missing")
                #expect(Int(state.proto) == line["proto"] as? Int)
                let key = (line["key"] as? [[String: Any]])?.first
                #expect(key?["port"] as? [Int] == [Int(state.wireKey.port0), Int(state.wireKey.port1)], "\(name)")
            }
            for identity in gone { #expect(table.state(for: identity) == nil, "\(name): \(identity) not deleted") }
        }
        // The UPD_C of the Ethernet capture moved state 1's peers on before the SLL capture
        // deleted it; nothing was refused as another version.
        #expect(engine.currentCounters[.badver] == 0)
        #expect(engine.currentCounters[.statesUpdated] >= 1)
        #expect(engine.currentCounters[.statesCreated] == 2)
    }
}
