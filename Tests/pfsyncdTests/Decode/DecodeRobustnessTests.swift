import Foundation
import Testing

@Suite("pfsyncd decode: hostile input")
struct DecodeRobustnessTests {
    /// A deterministic generator.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    /// Raw-IP pcap of IPv4 protocol-240 packets with the given payloads.
    static func capture(_ payloads: [[UInt8]]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }
        var bytes = le32(0xa1b2c3d4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(101)
        for payload in payloads {
            let total = 20 + payload.count
            let ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 1, 0x40, 0, 255, 240, 0, 0, 10, 0, 0, 1, 224, 0, 0, 240] + payload
            bytes += le32(1_700_000_000) + le32(0) + le32(ip.count) + le32(ip.count) + ip
        }
        return bytes
    }

    @Test("Seeded random pfsync packets: exit 0, every line valid JSON, errors carry their frame number")
    func randomPackets() throws {
        var random = SplitMix64(state: 240)
        var payloads: [[UInt8]] = []
        for index in 0..<400 {
            let count = Int(random.next() % 700)
            var body = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // A plausible header most of the time so that the message decoders are reached.
            if body.count >= 24 && index % 4 != 0 {
                body[0] = index % 3 == 0 ? 6 : 5
                body[2] = UInt8(count >> 8)
                body[3] = UInt8(count & 0xff)
                body[20] = UInt8(index % 17)  // action
                body[22] = 0
                body[23] = UInt8(1 + index % 3)  // count
            }
            payloads.append(body)
        }
        let path = NSTemporaryDirectory() + "pfsyncd-random-\(UUID().uuidString).pcap"
        try Data(Self.capture(payloads)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try DecodeRunner.run(["decode", "--json", path])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let lines = try DecodeRunner.jsonLines(json.stdout)
        #expect(!lines.isEmpty)
        for line in lines {
            if let frame = line["frame"] as? Int {
                #expect((1...payloads.count).contains(frame))
                #expect(line["error"] is String)
            } else {
                #expect(line["version"] as? Int == 5 || line["version"] as? Int == 6)
                #expect(line["action"] is String)
            }
        }
        let text = try DecodeRunner.run(["decode", path])
        #expect(text.status == 0)
    }
}
