import Foundation
import PFSyncWire

/// The independently encoded pfsync packets of Tests/Fixtures/pfsync (written by a Python
/// encoder, Tools/vectors) and what their JSON lines say they carry.
enum PlainFixturePackets {
    /// The pfsync payloads (IP header removed) of the IPv4 protocol-240 frames of an
    /// Ethernet pcap whose version is 5 and whose messages are full states only (INS / UPD
    /// of any format, and EOF): what a plain pfsync receiver can take without side effects.
    static func fullStatePackets(pcap path: String) throws -> [[UInt8]] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count >= 24, data[0] == 0xD4, data[1] == 0xC3, data[20] == 1 else {
            throw HarnessError.setup("\(path): not a little-endian Ethernet pcap")
        }
        var packets: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= data.count {
            let length = Int(data[offset + 8]) | Int(data[offset + 9]) << 8 | Int(data[offset + 10]) << 16
            let start = offset + 16
            offset = start + length
            guard offset <= data.count else { break }
            if let payload = pfsyncPayload(Array(data[start..<offset])), carriesFullStatesOnly(payload) {
                packets.append(payload)
            }
        }
        return packets
    }

    private static func pfsyncPayload(_ frame: [UInt8]) -> [UInt8]? {
        var at = 12
        guard frame.count > at + 2 else { return nil }
        if frame[at] == 0x81 && frame[at + 1] == 0x00 { at += 4 }
        guard frame.count > at + 22, frame[at] == 0x08, frame[at + 1] == 0x00 else { return nil }
        let ip = at + 2
        let headerLength = Int(frame[ip] & 0x0F) * 4
        guard frame[ip] >> 4 == 4, frame[ip + 9] == 240, frame.count > ip + headerLength else { return nil }
        let payload = Array(frame[(ip + headerLength)...])
        return payload.first == 5 ? payload : nil
    }

    private static func carriesFullStatesOnly(_ packet: [UInt8]) -> Bool {
        packet.withUnsafeBytes { raw -> Bool in
            guard var reader = try? PFSyncPacketReader(raw) else { return false }
            var any = false
            while true {
                guard let message = try? reader.next() else { return any }
                switch message {
                case .insert, .update: any = true
                case .eof: break
                default: return false
                }
            }
        }
    }

    /// The JSON lines' version-5 full states that stay alive long enough to be looked at
    /// (expire >= 30 s), keyed by "id/creatorid" (the last line for an id wins).
    static func expectedStates(jsonl path: String) throws -> [String: NSDictionary] {
        var expected: [String: NSDictionary] = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in try DecodeRunner.jsonLines(text) {
            guard line["version"] as? Int == 5, let action = line["action"] as? String,
                action.hasPrefix("INS_") || action.hasPrefix("UPD_1"),
                (line["expire"] as? Int ?? 0) >= 30,
                let id = line["id"] as? String, let creator = line["creatorid"] as? String
            else { continue }
            expected["\(id)/\(creator)"] = line
        }
        return expected
    }
}
