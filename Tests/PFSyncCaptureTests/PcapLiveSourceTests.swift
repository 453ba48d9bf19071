#if canImport(Glibc)
import Glibc
#endif
import PFSyncCapture
import PFSyncCore
import Testing

/// Live capture needs root (or CAP_NET_RAW) and the loopback interface.
enum LiveCapture {
    static var isPossible: Bool {
        #if os(Linux)
        return geteuid() == 0
        #else
        return false
        #endif
    }

    /// Sends one UDP datagram to 127.0.0.1:`port`.
    static func sendUDP(port: UInt16, payload: [UInt8]) -> Bool {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        return sent == payload.count
        #else
        return false
        #endif
    }
}

@Suite("PcapLiveSource: setup errors and a real capture on loopback")
struct PcapLiveSourceTests {
    @Test("A missing interface fails in pcap_activate with libpcap's reason", .enabled(if: LiveCapture.isPossible, "needs root"))
    func missingInterface() {
        do {
            _ = try PcapLiveSource(interface: "nosuchif0")
            Issue.record("opened a missing interface")
        } catch {
            guard case let .liveSetupFailed(interface, stage, reason) = error else { Issue.record("got \(error)"); return }
            #expect(interface == "nosuchif0")
            #expect(stage == "pcap_activate")
            #expect(!reason.isEmpty)
        }
    }

    @Test("A filter that does not compile is invalidFilter", .enabled(if: LiveCapture.isPossible, "needs root"))
    func badFilter() {
        do {
            _ = try PcapLiveSource(interface: "lo", options: .init(filter: "udp and port nonsense-not-a-port"))
            Issue.record("accepted a bad filter")
        } catch {
            guard case .invalidFilter = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test("Immediate mode with a BPF filter delivers a datagram sent to loopback", .enabled(if: LiveCapture.isPossible, "needs root"))
    func capturesLoopbackDatagram() throws {
        let port: UInt16 = 45_999
        let source = try PcapLiveSource(interface: "lo", options: .init(snapshotLength: 128, filter: "udp and dst port \(port)"))
        #expect(source.linkType == .ethernet)
        let parser = PacketParser(linkType: source.linkType)
        var packet = ParsedPacket()
        var captured = false
        // Wait for the datagram: up to 50 read timeouts, resending each time (loss is not the point).
        for _ in 0..<50 where !captured {
            #expect(LiveCapture.sendUDP(port: port, payload: Array("pfsyncd live test".utf8)))
            var outcome = ReadOutcome.packet
            while outcome == .packet && !captured {
                outcome = source.next { header, bytes in
                    parser.parse(bytes, header: header, into: &packet)
                    captured = packet.status == .ok && packet.dstPort == port
                }
            }
        }
        #expect(captured)
        #expect(packet.proto == 17 && packet.payloadLength == 17)
        #expect(packet.srcAddr == IPAddress(ipv4: 0x7f00_0001))
        #expect(source.statistics() != nil)
        source.close()
        #expect(source.next { _, _ in } == .end)
    }
}
