import Foundation
import PFSyncCapture
import PFSyncCore
import Testing

@Suite("Link types through libpcap: SLL, SLL2, raw, NULL and LOOP captures written by hand")
struct LinkTypeTests {
    typealias B = FrameBuilder

    /// A UDP datagram 10.0.0.1:1111 -> 10.0.0.2:2222.
    static let udp4 = B.ipv4(proto: 17, payload: B.udp(src: 1111, dst: 2222, payload: [1, 2, 3, 4]))
    /// A UDP datagram 2001:db8::1:3333 -> 2001:db8::2:4444.
    static let udp6 = B.ipv6(next: 17, payload: B.udp(src: 3333, dst: 4444, payload: [5, 6]))

    /// Writes `frames` as a pcap of `linkType`, reads it back through libpcap and parses it.
    func roundTrip(linkType: UInt32, frames: [[UInt8]]) throws -> (LinkType, [ParsedPacket]) {
        let path = try CaptureFileWriter.temporaryFile(CaptureFileWriter.pcap(linkType: linkType, frames: frames))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapFileSource(path: path)
        let parser = PacketParser(linkType: source.linkType)
        var packets: [ParsedPacket] = []
        var packet = ParsedPacket()
        source.forEach { header, bytes in
            parser.parse(bytes, header: header, into: &packet)
            packets.append(packet)
        }
        #expect(!source.truncated)
        return (source.linkType, packets)
    }

    func expectUDP4(_ p: ParsedPacket) {
        #expect(p.status == .ok && p.af == .inet && p.proto == 17)
        #expect(p.srcPort == 1111 && p.dstPort == 2222 && p.payloadLength == 4)
    }

    func expectUDP6(_ p: ParsedPacket) {
        #expect(p.status == .ok && p.af == .inet6 && p.proto == 17)
        #expect(p.srcPort == 3333 && p.dstPort == 4444 && p.payloadLength == 2)
    }

    @Test("Linux cooked v1 (113)")
    func linuxCooked() throws {
        let header: [UInt8] = [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0]
        let (linkType, packets) = try roundTrip(linkType: 113, frames: [
            header + [0x08, 0x00] + Self.udp4, header + [0x86, 0xdd] + Self.udp6, header + [0x08, 0x06] + [0, 1],
        ])
        #expect(linkType == .linuxCooked)
        #expect(packets.count == 3)
        expectUDP4(packets[0])
        expectUDP6(packets[1])
        #expect(packets[2].status == .notIP)
    }

    @Test("Linux cooked v2 (276): protocol first, 20-byte header")
    func linuxCooked2() throws {
        func header(_ proto: UInt16) -> [UInt8] {
            B.be16(proto) + [0, 0] + B.be32(2) + [0, 1, 0, 6] + [1, 2, 3, 4, 5, 6, 0, 0]
        }
        let (linkType, packets) = try roundTrip(linkType: 276, frames: [header(0x0800) + Self.udp4, header(0x86dd) + Self.udp6])
        #expect(linkType == .linuxCooked2)
        expectUDP4(packets[0])
        expectUDP6(packets[1])
    }

    @Test("Raw IP (LINKTYPE_RAW 101), IPv4 (228) and IPv6 (229)")
    func rawIP() throws {
        let (raw, rawPackets) = try roundTrip(linkType: 101, frames: [Self.udp4, Self.udp6])
        #expect(raw.isSupported)
        expectUDP4(rawPackets[0])
        expectUDP6(rawPackets[1])
        let (v4, v4Packets) = try roundTrip(linkType: 228, frames: [Self.udp4])
        #expect(v4 == .ipv4)
        expectUDP4(v4Packets[0])
        let (v6, v6Packets) = try roundTrip(linkType: 229, frames: [Self.udp6])
        #expect(v6 == .ipv6)
        expectUDP6(v6Packets[0])
    }

    @Test("DLT_NULL (0): the family in either byte order, AF_INET6 as 24, 28 or 30")
    func null() throws {
        let (linkType, packets) = try roundTrip(linkType: 0, frames: [
            B.le32(2) + Self.udp4, B.be32(2) + Self.udp4,
            B.le32(24) + Self.udp6, B.le32(28) + Self.udp6, B.be32(30) + Self.udp6, B.le32(7) + Self.udp4,
        ])
        #expect(linkType == .null)
        expectUDP4(packets[0])
        expectUDP4(packets[1])
        expectUDP6(packets[2])
        expectUDP6(packets[3])
        expectUDP6(packets[4])
        #expect(packets[5].status == .notIP)
    }

    @Test("DLT_LOOP (108): network byte order")
    func loop() throws {
        let (linkType, packets) = try roundTrip(linkType: 108, frames: [B.be32(2) + Self.udp4, B.be32(24) + Self.udp6])
        #expect(linkType == .loop)
        expectUDP4(packets[0])
        expectUDP6(packets[1])
    }

    @Test("An unknown link type yields notIP, not a guess")
    func unknownLinkType() throws {
        let (linkType, packets) = try roundTrip(linkType: 147, frames: [Self.udp4])
        #expect(!linkType.isSupported)
        #expect(packets.first?.status == .notIP)
    }
}
