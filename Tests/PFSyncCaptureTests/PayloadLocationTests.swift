import PFSyncCapture
import PFSyncCore
import Testing

@Suite("Payload locator: pfsync (IP protocol 240) and UDP payloads")
struct PayloadLocationTests {
    typealias B = FrameBuilder

    func locate(_ frame: [UInt8], linkType: LinkType = .ethernet) -> (PayloadLocation, [UInt8]) {
        let parser = PacketParser(linkType: linkType)
        return frame.withUnsafeBytes { bytes in
            let location = parser.locatePayload(bytes)
            return (location, Array(parser.payload(of: location, in: bytes)))
        }
    }

    @Test("IPv4 protocol 240 with TTL 255")
    func pfsyncOverIPv4() {
        let body: [UInt8] = [5, 0, 0, 24] + [UInt8](repeating: 0xaa, count: 20)
        let (location, payload) = locate(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 240, ttl: 255, payload: body)) + [0, 0, 0])
        #expect(location.status == .ok)
        #expect(location.proto == 240 && location.ttl == 255 && location.af == .inet)
        #expect(payload == body)
        #expect(!location.isCut)
    }

    @Test("IPv6 protocol 240 behind a destination options header, hop limit reported")
    func pfsyncOverIPv6() {
        let body: [UInt8] = [6, 0, 0, 20] + [UInt8](repeating: 0, count: 16)
        let frame = B.ipv6(next: 60, hopLimit: 254, payload: B.extensionHeader(next: 240, length: 8) + body)
        let (location, payload) = locate(frame, linkType: .ipv6)
        #expect(location.status == .ok)
        #expect(location.proto == 240 && location.ttl == 254 && location.af == .inet6)
        #expect(payload == body)
    }

    @Test("UDP: ports and the payload after the UDP header")
    func udpPayload() {
        let data: [UInt8] = Array("PFSD frame".utf8)
        let (location, payload) = locate(B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, payload: B.udp(src: 8240, dst: 8241, payload: data))))
        #expect(location.status == .ok)
        #expect(location.srcPort == 8240 && location.dstPort == 8241)
        #expect(payload == data)
    }

    @Test("A payload cut by the capture is reported as cut with what was captured")
    func cutPayload() {
        let body = [UInt8](repeating: 1, count: 100)
        let frame = B.ipv4(proto: 240, ttl: 255, payload: body)
        let (location, payload) = locate(Array(frame.prefix(60)), linkType: .raw)
        #expect(location.status == .ok)
        #expect(location.isCut)
        #expect(location.declaredLength == 100 && payload.count == 40)
    }

    @Test("Truncated and non-IP frames locate nothing")
    func nothingToLocate() {
        #expect(locate([0, 1, 2]).0.status == .truncated)
        #expect(locate(B.ethernet(type: 0x0806, payload: [1, 2])).0.status == .notIP)
        let (location, payload) = locate(Array(B.ipv4(proto: 17, payload: B.udp(src: 1, dst: 2, payload: [])).prefix(24)), linkType: .raw)
        #expect(location.status == .truncated)
        #expect(payload.isEmpty)
    }
}
