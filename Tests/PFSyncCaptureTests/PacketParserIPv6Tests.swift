import PFSyncCapture
import PFSyncCore
import Testing

@Suite("Packet parser: IPv6, extension headers, ICMP")
struct PacketParserIPv6Tests {
    typealias B = FrameBuilder

    @Test("Hop-by-hop, routing and destination options headers are walked to TCP")
    func extensionChain() {
        let segment = B.tcp(src: 5000, dst: 80, seq: 77, flags: 0x10, window: 512, payload: [1, 2, 3])
        let chain = B.extensionHeader(next: 43, length: 8) + B.extensionHeader(next: 60, length: 24)
            + B.extensionHeader(next: 6, length: 16)
        let p = parse(B.ethernet(type: 0x86dd, payload: B.ipv6(next: 0, hopLimit: 255, payload: chain + segment)))
        #expect(p.status == .ok)
        #expect(p.af == .inet6)
        #expect(p.proto == 6)
        #expect(p.ttl == 255)
        #expect(p.srcAddr == IPAddress(bytes: B.v6(1)))
        #expect(p.dstAddr == IPAddress(bytes: B.v6(2)))
        #expect(p.srcPort == 5000 && p.dstPort == 80)
        #expect(p.seq == 77)
        #expect(p.payloadLength == 3)
        #expect(p.ipLength == UInt32(40 + chain.count + segment.count))
    }

    @Test("An AH header (length in 32-bit words minus 2) is skipped")
    func authenticationHeader() {
        let ah: [UInt8] = [17, 4] + [UInt8](repeating: 0, count: 22)  // (4 + 2) * 4 = 24 bytes
        let p = parse(B.ipv6(next: 51, payload: ah + B.udp(src: 500, dst: 4500, payload: [0])), linkType: .ipv6)
        #expect(p.status == .ok)
        #expect(p.proto == 17)
        #expect(p.srcPort == 500 && p.dstPort == 4500)
    }

    @Test("IPv6 fragments: the first has ports, later ones have none")
    func fragments() {
        let first = parse(B.ipv6(next: 44, payload: B.fragmentHeader(next: 17, offset: 0, more: true) + B.udp(src: 1, dst: 2, payload: [0, 0])), linkType: .ipv6)
        #expect(first.status == .ok)
        #expect(first.isFragment && first.moreFragments && first.fragmentOffset == 0)
        #expect(first.proto == 17 && first.srcPort == 1 && first.dstPort == 2)
        let later = parse(B.ipv6(next: 44, payload: B.fragmentHeader(next: 6, offset: 1448, more: false) + [UInt8](repeating: 5, count: 40)), linkType: .ipv6)
        #expect(later.status == .ok)
        #expect(later.isFragment && !later.moreFragments && later.fragmentOffset == 1448)
        #expect(later.proto == 6)
        #expect(later.srcPort == 0 && later.seq == 0)
    }

    @Test("An extension header longer than the datagram is malformed; one cut by the capture is truncated")
    func badExtensions() {
        let lying = B.ipv6(next: 0, payload: [6, 10] + [UInt8](repeating: 0, count: 6))
        #expect(parse(lying, linkType: .ipv6).status == .malformed)
        let cut = B.ipv6(next: 60, payload: B.extensionHeader(next: 6, length: 8))
        #expect(parse(Array(cut.prefix(41)), linkType: .ipv6).status == .truncated)
    }

    @Test("ICMP and ICMPv6 echo put the id in both ports")
    func echo() {
        let v4 = parse(B.ipv4(proto: 1, payload: [8, 0, 0, 0, 0x12, 0x34, 0, 1]), linkType: .ipv4)
        #expect(v4.status == .ok && v4.isICMPQuery && !v4.isICMPError)
        #expect(v4.icmpType == 8)
        #expect(v4.srcPort == 0x1234 && v4.dstPort == 0x1234)
        let v6 = parse(B.ipv6(next: 58, payload: [129, 0, 0, 0, 0xbe, 0xef, 0, 9]), linkType: .ipv6)
        #expect(v6.status == .ok && v6.isICMPQuery)
        #expect(v6.srcPort == 0xbeef && v6.dstPort == 0xbeef)
    }

    @Test("An ICMP unreachable quoting a TCP segment fills the quoted fields")
    func icmpErrorQuotingTCP() {
        let inner = B.ipv4(proto: 6, src: [192, 168, 1, 5], dst: [8, 8, 8, 8], payload: B.tcp(src: 40000, dst: 443, seq: 0xa1b2c3d4, flags: 2, window: 1))
        let quote = Array(inner.prefix(28))  // IP header + 8 bytes, as routers send
        let p = parse(B.ipv4(proto: 1, payload: [3, 3, 0, 0, 0, 0, 0, 0] + quote), linkType: .ipv4)
        #expect(p.status == .ok)
        #expect(p.isICMPError && !p.isICMPQuery)
        #expect(p.icmpType == 3 && p.icmpCode == 3)
        #expect(p.hasQuoted)
        #expect(p.quotedProto == 6)
        #expect(p.quotedSrcAddr == IPAddress(ipv4: 0xc0a8_0105))
        #expect(p.quotedDstAddr == IPAddress(ipv4: 0x0808_0808))
        #expect(p.quotedSrcPort == 40000 && p.quotedDstPort == 443)
        #expect(p.quotedSeq == 0xa1b2c3d4)
    }

    @Test("An ICMPv6 time exceeded quoting UDP behind an extension header")
    func icmp6ErrorQuotingUDP() {
        let inner = B.ipv6(next: 60, src: B.v6(7), dst: B.v6(8), payload: B.extensionHeader(next: 17, length: 8) + B.udp(src: 33434, dst: 33435, payload: [0, 0]))
        let p = parse(B.ipv6(next: 58, payload: [3, 0, 0, 0, 0, 0, 0, 0] + inner), linkType: .ipv6)
        #expect(p.status == .ok)
        #expect(p.isICMPError && p.hasQuoted)
        #expect(p.quotedProto == 17)
        #expect(p.quotedSrcAddr == IPAddress(bytes: B.v6(7)))
        #expect(p.quotedSrcPort == 33434 && p.quotedDstPort == 33435)
    }

    @Test("A quote cut before its transport bytes is truncated, without quoted ports")
    func icmpErrorShortQuote() {
        let inner = B.ipv4(proto: 17, payload: B.udp(src: 1, dst: 2, payload: []))
        let p = parse(B.ipv4(proto: 1, payload: [11, 0, 0, 0, 0, 0, 0, 0] + Array(inner.prefix(24))), linkType: .ipv4)
        #expect(p.status == .truncated)
        #expect(p.isICMPError && !p.hasQuoted)
    }
}
