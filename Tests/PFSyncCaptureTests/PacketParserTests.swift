import PFSyncCapture
import PFSyncCore
import Testing

/// Parses `bytes` as a frame of `linkType`.
func parse(_ bytes: [UInt8], linkType: LinkType = .ethernet) -> ParsedPacket {
    var packet = ParsedPacket()
    let parser = PacketParser(linkType: linkType)
    bytes.withUnsafeBytes { parser.parse($0, into: &packet) }
    return packet
}

@Suite("Packet parser: Ethernet, IPv4, TCP")
struct PacketParserIPv4Tests {
    typealias B = FrameBuilder

    @Test("A TCP SYN with options: ports, sequence numbers, flags, window and every option")
    func tcpSynWithOptions() {
        let segment = B.tcp(src: 49152, dst: 443, seq: 0x01020304, ack: 0, flags: 0x02, window: 64240, options: B.synOptions)
        let frame = B.ethernet(type: 0x0800, payload: B.ipv4(proto: 6, ttl: 61, payload: segment))
        let p = parse(frame)
        #expect(p.status == .ok)
        #expect(p.af == .inet)
        #expect(p.proto == 6)
        #expect(p.ttl == 61)
        #expect(p.srcAddr == IPAddress(ipv4: 0x0a00_0001))
        #expect(p.dstAddr == IPAddress(ipv4: 0x0a00_0002))
        #expect(p.srcPort == 49152 && p.dstPort == 443)
        #expect(p.seq == 0x01020304)
        #expect(p.tcpFlags == ParsedPacket.TCPFlags.syn)
        #expect(p.window == 64240)
        #expect(p.hasMSS && p.mss == 1460)
        #expect(p.hasWindowScale && p.windowScale == 7)
        #expect(p.sackPermitted)
        #expect(p.hasTimestamp)
        #expect(p.payloadLength == 0)
        #expect(p.ipLength == UInt32(20 + segment.count))
        #expect(!p.isFragment)
    }

    @Test("Payload length comes from the IP lengths, not from the captured bytes")
    func payloadLengthFromIPLengths() {
        let segment = B.tcp(src: 1, dst: 2, seq: 9, ack: 10, flags: 0x18, window: 100, payload: [UInt8](repeating: 7, count: 100))
        let frame = B.ethernet(type: 0x0800, payload: B.ipv4(proto: 6, payload: segment))
        // Cut by a snaplen of 14 + 20 + 20 + 10: the header is complete, the payload is not.
        let p = parse(Array(frame.prefix(64)))
        #expect(p.status == .ok)
        #expect(p.payloadLength == 100)
        #expect(p.ack == 10)
        #expect(p.tcpFlags == ParsedPacket.TCPFlags.psh | ParsedPacket.TCPFlags.ack)
    }

    @Test("Ethernet padding after a short datagram is not payload")
    func ethernetPaddingIgnored() {
        let frame = B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, payload: B.udp(src: 53, dst: 5353, payload: [1, 2]))) + [UInt8](repeating: 0, count: 16)
        let p = parse(frame)
        #expect(p.status == .ok)
        #expect(p.payloadLength == 2)
        #expect(p.srcPort == 53 && p.dstPort == 5353)
    }

    @Test("SCTP: ports from the common header, the chunks are payload; a short header is malformed or truncated")
    func sctpPorts() {
        let common = B.be16(5000) + B.be16(3868) + B.be32(0xdead_beef) + B.be32(0)
        let chunk: [UInt8] = [0, 3, 0, 8, 1, 2, 3, 4]
        let p = parse(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 132, payload: common + chunk)))
        #expect(p.status == .ok)
        #expect(p.srcPort == 5000 && p.dstPort == 3868)
        #expect(p.payloadLength == 8)
        let v6 = parse(B.ethernet(type: 0x86dd, payload: B.ipv6(next: 132, payload: common)))
        #expect(v6.status == .ok && v6.srcPort == 5000 && v6.dstPort == 3868 && v6.payloadLength == 0)
        let short = parse(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 132, payload: Array(common.prefix(8)))))
        #expect(short.status == .malformed)
        let cut = parse(Array(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 132, payload: common + chunk)).prefix(14 + 20 + 2)))
        #expect(cut.status == .truncated)
    }

    @Test("IPv4 options are skipped")
    func ipv4Options() {
        let segment = B.udp(src: 1000, dst: 2000, payload: [1, 2, 3])
        let frame = B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, options: [0x94, 4, 0, 0, 1, 1, 1, 0], payload: segment))
        let p = parse(frame)
        #expect(p.status == .ok)
        #expect(p.srcPort == 1000 && p.dstPort == 2000)
        #expect(p.payloadLength == 3)
    }

    @Test("802.1Q, 802.1ad and QinQ tags are followed", arguments: [
        [(UInt16(0x8100), UInt16(10))],
        [(UInt16(0x88a8), UInt16(100)), (UInt16(0x8100), UInt16(10))],
        [(UInt16(0x9100), UInt16(100)), (UInt16(0x8100), UInt16(10))],
    ])
    func vlanTags(tags: [(UInt16, UInt16)]) {
        let frame = B.ethernet(type: 0x0800, tags: tags, payload: B.ipv4(proto: 17, payload: B.udp(src: 7, dst: 8, payload: [])))
        let p = parse(frame)
        #expect(p.status == .ok)
        #expect(p.proto == 17)
        #expect(p.srcPort == 7 && p.dstPort == 8)
    }

    @Test("PPPoE sessions (PPP 0x0021 / 0x0057) and MPLS label stacks reach the IP header")
    func pppoeAndMPLS() {
        let datagram = B.ipv4(proto: 17, payload: B.udp(src: 7, dst: 8, payload: []))
        let pppoe = parse(B.ethernet(type: 0x8864, payload: [0x11, 0, 0, 1] + B.be16(UInt16(datagram.count + 2)) + [0x00, 0x21] + datagram))
        #expect(pppoe.status == .ok && pppoe.srcPort == 7)
        let v6 = B.ipv6(next: 17, payload: B.udp(src: 9, dst: 10, payload: []))
        let pppoe6 = parse(B.ethernet(type: 0x8864, payload: [0x11, 0, 0, 1, 0, 0, 0x00, 0x57] + v6))
        #expect(pppoe6.status == .ok && pppoe6.af == .inet6 && pppoe6.srcPort == 9)
        let labels: [UInt8] = [0, 1, 0, 64, 0, 2, 1, 64]  // two labels, bottom of stack on the second
        let mpls = parse(B.ethernet(type: 0x8847, payload: labels + datagram))
        #expect(mpls.status == .ok && mpls.dstPort == 8)
        #expect(parse(B.ethernet(type: 0x8847, payload: [0, 1, 0, 64])).status == .truncated)
        #expect(parse(B.ethernet(type: 0x8864, payload: [0x11, 0, 0, 1, 0, 2, 0xc0, 0x21, 1, 2])).status == .notIP)
    }

    @Test("A VLAN tag cut in half is truncated; ARP is not IP")
    func vlanCutAndARP() {
        let tagged = B.ethernet(type: 0x0800, tags: [(0x8100, 5)], payload: [])
        #expect(parse(Array(tagged.prefix(16))).status == .truncated)
        #expect(parse(B.ethernet(type: 0x0806, payload: [UInt8](repeating: 0, count: 28))).status == .notIP)
    }

    @Test("IPv4 fragments: the first carries ports, later ones only the fragment facts")
    func ipv4Fragments() {
        let segment = B.udp(src: 4000, dst: 53, payload: [UInt8](repeating: 1, count: 16))
        let first = parse(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, fragment: 0x2000, payload: segment)))
        #expect(first.status == .ok)
        #expect(first.isFragment && first.moreFragments && first.fragmentOffset == 0)
        #expect(first.srcPort == 4000)
        let later = parse(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, fragment: 0x0003, payload: [UInt8](repeating: 9, count: 24))))
        #expect(later.status == .ok)
        #expect(later.isFragment && !later.moreFragments)
        #expect(later.fragmentOffset == 24)
        #expect(later.proto == 17)
        #expect(later.srcPort == 0 && later.dstPort == 0)
        #expect(later.payloadLength == 24)
    }

    @Test("Malformed headers: bad version, IHL below 5, total length below the header, TCP offset below 5")
    func malformed() {
        var badVersion = B.ipv4(proto: 6, payload: [])
        badVersion[0] = 0x55
        #expect(parse(badVersion, linkType: .ipv4).status == .malformed)
        var shortIHL = B.ipv4(proto: 6, payload: [])
        shortIHL[0] = 0x44
        #expect(parse(shortIHL, linkType: .ipv4).status == .malformed)
        #expect(parse(B.ipv4(proto: 6, payload: [], totalLength: 12), linkType: .ipv4).status == .malformed)
        var segment = B.tcp(src: 1, dst: 2, seq: 3, flags: 2, window: 4)
        segment[12] = 0x40
        #expect(parse(B.ipv4(proto: 6, payload: segment), linkType: .ipv4).status == .malformed)
        #expect(parse(B.ipv4(proto: 17, payload: [0, 1, 2, 3]), linkType: .ipv4).status == .malformed)
    }

    @Test("Every prefix of a packet parses without trapping; cut headers are truncated, cut TCP options or payload are not")
    func everyPrefix() {
        let segment = B.tcp(src: 1, dst: 2, seq: 3, flags: 0x12, window: 4, options: B.synOptions, payload: [1, 2, 3, 4])
        let frame = B.ethernet(type: 0x0800, tags: [(0x8100, 1)], payload: B.ipv4(proto: 6, payload: segment))
        let fixedEnd = 14 + 4 + 20 + 20
        let headerEnd = fixedEnd + B.synOptions.count
        for length in 0...frame.count {
            let p = parse(Array(frame.prefix(length)))
            #expect(p.status == (length < fixedEnd ? .truncated : .ok), "prefix \(length)")
            if length >= fixedEnd {
                #expect(p.tcpOptionsCut == (length < headerEnd), "prefix \(length)")
                #expect(p.payloadLength == 4 && p.seq == 3 && p.window == 4)
            }
        }
        #expect(parse(frame).hasWindowScale)
    }

    @Test("Seeded random bytes on every link type never trap")
    func randomBytes() {
        var generator = SplitMix64(seed: 0x5eed)
        let linkTypes: [LinkType] = [.ethernet, .raw, .ipv4, .ipv6, .linuxCooked, .linuxCooked2, .null, .loop, LinkType(rawValue: 999)]
        var parsedOK = 0
        for round in 0..<4000 {
            let length = Int(generator.next() % 120)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Bias towards plausible headers so the deeper layers are reached.
            if length > 0 { bytes[0] = round % 2 == 0 ? 0x45 : 0x60 }
            for linkType in linkTypes {
                let p = parse(bytes, linkType: linkType)
                if p.status == .ok { parsedOK += 1 }
            }
        }
        #expect(parsedOK > 0)
    }
}

/// A small deterministic generator for reproducible random tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
