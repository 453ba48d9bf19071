import Foundation

/// Writes a small Ethernet/IPv4 pcap of complete TCP connections (handshake, one request,
/// one response), for when the shared captures are not there.
enum SyntheticCapture {
    static func write(connections: Int, to path: String) throws {
        var out = Data()
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        var micros: UInt32 = 0
        for index in 0..<connections {
            let client: UInt32 = 0x0A01_0000 | UInt32(index & 0xFFFF)
            let server: UInt32 = 0x0A02_0001
            let clientPort = UInt16(20000 + index % 40000)
            let c0 = UInt32(1000 + index), s0 = UInt32(5000 + index * 7)
            let packets: [(UInt32, UInt32, UInt16, UInt16, UInt32, UInt32, UInt8, Int)] = [
                (client, server, clientPort, 80, c0, 0, 0x02, 0),
                (server, client, 80, clientPort, s0, c0 &+ 1, 0x12, 0),
                (client, server, clientPort, 80, c0 &+ 1, s0 &+ 1, 0x10, 0),
                (client, server, clientPort, 80, c0 &+ 1, s0 &+ 1, 0x18, 100),
                (server, client, 80, clientPort, s0 &+ 1, c0 &+ 101, 0x18, 200),
            ]
            for (src, dst, sport, dport, seq, ack, flags, payload) in packets {
                let frame = ethernetIPv4TCP(
                    src: src, dst: dst, sport: sport, dport: dport, seq: seq, ack: ack, flags: flags, payload: payload)
                micros &+= 500  // 3.75 s of capture time, like the shared capture's 3.9 s
                le32(1_700_000_000 + micros / 1_000_000); le32(micros % 1_000_000)
                le32(UInt32(frame.count)); le32(UInt32(frame.count))
                out.append(contentsOf: frame)
            }
        }
        try out.write(to: URL(fileURLWithPath: path))
    }

    private static func ethernetIPv4TCP(
        src: UInt32, dst: UInt32, sport: UInt16, dport: UInt16, seq: UInt32, ack: UInt32, flags: UInt8, payload: Int
    ) -> [UInt8] {
        var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00]
        func be16(_ v: UInt16) { frame.append(UInt8(v >> 8)); frame.append(UInt8(v & 0xFF)) }
        func be32(_ v: UInt32) { be16(UInt16(v >> 16)); be16(UInt16(v & 0xFFFF)) }
        let ipStart = frame.count
        let total = 20 + 20 + payload
        frame += [0x45, 0]; be16(UInt16(total)); be16(0); be16(0x4000); frame += [64, 6]; be16(0)
        be32(src); be32(dst)
        var sum: UInt32 = 0
        for i in stride(from: ipStart, to: ipStart + 20, by: 2) { sum += UInt32(frame[i]) << 8 | UInt32(frame[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        frame[ipStart + 10] = UInt8(checksum >> 8)
        frame[ipStart + 11] = UInt8(checksum & 0xFF)
        be16(sport); be16(dport); be32(seq); be32(ack); frame += [0x50, flags]; be16(65535); be16(0); be16(0)
        frame += [UInt8](repeating: 0x61, count: payload)
        return frame
    }
}
