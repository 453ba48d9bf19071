import Foundation
import PFSyncCore
import PFSyncWire
import Testing

@Suite("pfsyncd decode: pfsyncd sync frames over UDP")
struct DecodeSyncFrameTests {
    static let keyBytes = Array("0123456789abcdef0123456789abcdef".utf8)

    /// The pfsync packet of the last frame of the Ethernet fixture (INS_ACK + EOF, FreeBSD v5).
    static func pfsyncPacket() throws -> [UInt8] {
        let pcap = try [UInt8](Data(contentsOf: DecodeRunner.fixtures.appendingPathComponent("pfsync-ethernet.pcap")))
        // Walk the classic pcap records to the last one.
        var offset = 24
        var last: ArraySlice<UInt8> = []
        while offset + 16 <= pcap.count {
            let length = Int(pcap[offset + 8]) | Int(pcap[offset + 9]) << 8 | Int(pcap[offset + 10]) << 16
            last = pcap[(offset + 16)..<(offset + 16 + length)]
            offset += 16 + length
        }
        return Array(last.dropFirst(14 + 20))  // Ethernet + IPv4 headers
    }

    /// A raw-IP pcap holding UDP datagrams to port 9999 with the given payloads.
    static func capture(_ payloads: [[UInt8]]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }
        func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
        var bytes = le32(0xa1b2c3d4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(101)
        for (index, payload) in payloads.enumerated() {
            let udp = be16(40000) + be16(9999) + be16(8 + payload.count) + [0, 0] + payload
            let ip: [UInt8] = [0x45, 0] + be16(20 + udp.count) + [0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2] + udp
            bytes += le32(1_700_000_000 + index) + le32(0) + le32(ip.count) + le32(ip.count) + ip
        }
        return bytes
    }

    static func temporaryFile(_ bytes: [UInt8], mode: Int) throws -> String {
        let path = NSTemporaryDirectory() + "pfsyncd-sync-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("DATA frames are opened (compressed or not) and their messages printed; control frames are not messages")
    func dataFrames() throws {
        let packet = try Self.pfsyncPacket()
        var sealer = SyncFrameSealer(key: try SyncKey(bytes: Self.keyBytes), senderID: 0x42, epoch: 7, compression: .never)
        let plain = Array(try sealer.seal(kind: .data, sequence: 1, payload: packet))
        let keepalive = Array(try sealer.seal(kind: .keepalive, sequence: 1, payload: [UInt8](repeating: 0, count: 8)))
        let capturePath = try Self.temporaryFile(Self.capture([plain, keepalive]), mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: capturePath) }
        let keyPath = try Self.temporaryFile(Self.keyBytes, mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: keyPath) }

        let unchecked = try DecodeRunner.run(["decode", "--json", capturePath])
        #expect(unchecked.status == 0, "stderr: \(unchecked.stderr)")
        let lines = try DecodeRunner.jsonLines(unchecked.stdout)
        #expect(lines.map { $0["action"] as? String } == ["INS_ACK", "EOF"])
        #expect(lines.first?["id"] as? String == "0xfeedfacecafebeef")

        let verified = try DecodeRunner.run(["decode", "--json", "--key-file", keyPath, capturePath])
        #expect(verified.status == 0, "stderr: \(verified.stderr)")
        #expect(try DecodeRunner.jsonLines(verified.stdout) == lines)

        let text = try DecodeRunner.run(["decode", "--key-file", keyPath, capturePath])
        #expect(text.stdout.contains("10.0.0.1.40000 > 10.0.0.2.9999: pfsyncd data seq 1 sender 0x00000042 epoch 7 (tag verified): pfsync v5 INS_ACK"))
        #expect(text.stdout.contains("pfsyncd keepalive"))
    }

    @Test("The delta updates after a DATA frame's pfsync packet are printed as UPD_D; a broken section is an error line")
    func deltaSection() throws {
        var writer = PFSyncPacketWriter(version: .freeBSD)
        _ = writer.append(.compressedDelete(StateID(id: 9, creatorID: 0x42)))
        var old = ReplicationBase()
        old.src.seqLo = 1000
        old.packets = CounterPair(5, 2)
        var new = old
        new.src.seqLo = 2460
        new.packets = CounterPair(6, 2)
        let update = DeltaUpdate(identity: StateID(id: 0x77, creatorID: 0x42), from: old, to: new)
        _ = writer.editTrailer(reserving: DeltaSection.headerSize + DeltaSection.maxRecordSize) { base, length -> Void in
            var context = DeltaContext()
            DeltaSection.writeHeader(count: 1, into: base, at: length)
            length = DeltaSection.encode(update, context: &context, into: base, at: length + DeltaSection.headerSize)
        }
        let payload = writer.finish()
        var sealer = SyncFrameSealer(key: try SyncKey(bytes: Self.keyBytes), senderID: 0x42, epoch: 7)
        let good = Array(try sealer.seal(kind: .data, sequence: 1, payload: payload))
        let broken = Array(try sealer.seal(kind: .data, sequence: 2, payload: Array(payload.dropLast())))
        let capturePath = try Self.temporaryFile(Self.capture([good, broken]), mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: capturePath) }

        let result = try DecodeRunner.run(["decode", "--json", capturePath])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = try DecodeRunner.jsonLines(result.stdout)
        #expect(lines.map { $0["action"] as? String } == ["DEL_C", "EOF", "UPD_D", "DEL_C", "EOF", nil])
        let delta = lines[2]
        #expect(delta["id"] as? String == "0x0000000000000077")
        #expect(delta["creatorid"] as? String == "0x00000042")
        #expect(delta["version"] as? Int == 5)
        #expect(delta["base_version"] as? Int == 1)
        #expect(delta["src.seqlo"] as? String == "+1460")
        #expect(delta["packets"] as? String == "+1/+0")
        #expect((lines[5]["error"] as? String)?.contains("delta section") == true)
        #expect(lines[5]["frame"] as? Int == 2)

        let text = try DecodeRunner.run(["decode", capturePath])
        #expect(text.stdout.contains("delta UPD_D id 0x0000000000000077/0x00000042 base version 1 src.seqlo +1460 packets +1/+0"))
    }

    @Test("With --key-file, a frame sealed with another key is an error line with its frame number")
    func wrongKey() throws {
        let packet = try Self.pfsyncPacket()
        var sealer = SyncFrameSealer(key: try SyncKey(bytes: Array("another key, 16+ bytes long".utf8)), senderID: 1, epoch: 1)
        let frame = Array(try sealer.seal(kind: .data, sequence: 1, payload: packet))
        let capturePath = try Self.temporaryFile(Self.capture([Array("not a frame".utf8), frame]), mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: capturePath) }
        let keyPath = try Self.temporaryFile(Self.keyBytes, mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: keyPath) }
        let result = try DecodeRunner.run(["decode", "--json", "--key-file", keyPath, capturePath])
        let lines = try DecodeRunner.jsonLines(result.stdout)
        #expect(lines.count == 1)
        #expect(lines.first?["frame"] as? Int == 2)
        #expect((lines.first?["error"] as? String)?.contains("tag") == true)
    }

    @Test("An unreadable key file: a clear message and exit code 1")
    func badKeyFile() throws {
        let capture = DecodeRunner.fixtures.appendingPathComponent("pfsync-raw.pcap").path
        let result = try DecodeRunner.run(["decode", "--key-file", "/nonexistent/key", capture])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/key"))
    }
}
