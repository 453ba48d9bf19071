import Foundation
@testable import PFSyncCARP

/// Helpers shared by the CARP tests.
enum CARPTestSupport {
    /// Tests/Fixtures/carp of this checkout.
    static var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/carp")
    }

    /// The IPv4 packets of an Ethernet pcap file (classic format, little-endian).
    static func ipv4Packets(pcap path: URL) throws -> [[UInt8]] {
        let data = [UInt8](try Data(contentsOf: path))
        guard data.count >= 24, data[0] == 0xD4, data[1] == 0xC3 else { throw FixtureError.notPcap }
        var packets: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= data.count {
            let captured = Int(data[offset + 8]) | Int(data[offset + 9]) << 8 | Int(data[offset + 10]) << 16
                | Int(data[offset + 11]) << 24
            let start = offset + 16
            guard start + captured <= data.count, captured > 14 else { throw FixtureError.truncated }
            packets.append(Array(data[(start + 14)..<(start + captured)]))
            offset = start + captured
        }
        return packets
    }

    /// An IPv4 header (no options) with `payload`, protocol 112 unless told.
    static func ipv4(
        source: String, destination: String = "224.0.0.18", ttl: UInt8 = 255, proto: UInt8 = 112, payload: [UInt8]
    ) -> [UInt8] {
        let total = 20 + payload.count
        var bytes: [UInt8] = [0x45, 0x10, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0x40, 0, ttl, proto, 0, 0]
        CARPIPv4Address(source)!.append(to: &bytes)
        CARPIPv4Address(destination)!.append(to: &bytes)
        let checksum = CARPChecksum.compute(bytes)
        bytes[10] = UInt8(checksum >> 8)
        bytes[11] = UInt8(checksum & 0xFF)
        return bytes + payload
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.filter { !$0.isWhitespace }.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String([high, low]), radix: 16)!)
        }
        return bytes
    }

    enum FixtureError: Error { case notPcap, truncated }
}
