import NIOCore
import PFSyncConfig
import Testing
@testable import PFSyncDaemon

@Suite struct SyncEndpointsTests {
    @Test func unicastIPv4AcceptsOnlyThePeerAddress() throws {
        var sync = SyncConfig()
        sync.peer = "192.0.2.7"
        sync.port = 8240
        sync.peerPort = 8241
        let endpoints = try SyncEndpoints(sync: sync)
        #expect(endpoints.destination == (try SocketAddress(ipAddress: "192.0.2.7", port: 8241)))
        #expect(endpoints.bind == (try SocketAddress(ipAddress: "0.0.0.0", port: 8240)))
        #expect(endpoints.maxDatagramSize == 1472)
        #expect(!endpoints.isIPv6)
        #expect(endpoints.accepts(try SocketAddress(ipAddress: "192.0.2.7", port: 40000)))
        #expect(!endpoints.accepts(try SocketAddress(ipAddress: "192.0.2.8", port: 8241)))
        #expect(!endpoints.accepts(try SocketAddress(ipAddress: "::1", port: 8241)))
    }

    @Test func unicastIPv6UsesTheIPv6Overhead() throws {
        var sync = SyncConfig()
        sync.peer = "2001:db8::2"
        sync.mtu = 9000
        let endpoints = try SyncEndpoints(sync: sync)
        #expect(endpoints.isIPv6)
        #expect(endpoints.maxDatagramSize == 8952)
        #expect(endpoints.accepts(try SocketAddress(ipAddress: "2001:db8::2", port: 1)))
        #expect(!endpoints.accepts(try SocketAddress(ipAddress: "2001:db8::3", port: 1)))
    }

    @Test func multicastAcceptsAnySourceAndJoinsTheGroup() throws {
        var sync = SyncConfig()
        sync.group = "239.1.2.3"
        sync.interface = "lo"
        let endpoints = try SyncEndpoints(sync: sync)
        #expect(endpoints.group == (try SocketAddress(ipAddress: "239.1.2.3", port: 8240)))
        #expect(endpoints.accepts(try SocketAddress(ipAddress: "198.51.100.1", port: 5)))
    }

    @Test func listenAddressMustMatchThePeerFamily() {
        var sync = SyncConfig()
        sync.peer = "192.0.2.7"
        sync.listen = "::1"
        #expect(throws: SyncSetupError.self) { _ = try SyncEndpoints(sync: sync) }
    }

    @Test func tickIntervalIsClampedToHalfAMillisecond() {
        #expect(SyncTransport.tickInterval(milliseconds: 0.1) == .microseconds(500))
        #expect(SyncTransport.tickInterval(milliseconds: 2) == .milliseconds(2))
    }
}
