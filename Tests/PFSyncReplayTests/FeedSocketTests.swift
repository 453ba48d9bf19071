import Foundation
import Testing

/// The daemon's feed socket (`capture.feed`) against a plain client: verdicts per record,
/// status counters, and bad input that closes only the connection.
@Suite(.serialized) struct FeedSocketTests {
    static let rawIPv4: UInt32 = 228

    /// Polls the feed status until `condition` holds (bounded; returns the last status).
    static func waitForStatus(
        _ daemon: FeedDaemon, _ condition: (NSDictionary) -> Bool
    ) throws -> NSDictionary {
        let deadline = Date().addingTimeInterval(10)
        var status = try daemon.feedStatus().source
        while !condition(status) && Date() < deadline {
            usleep(50_000)
            status = try daemon.feedStatus().source
        }
        return status
    }

    static func number(_ object: NSDictionary, _ key: String) -> Int {
        (object[key] as? NSNumber)?.intValue ?? -1
    }

    @Test func aBatchGetsOneVerdictPerRecordAndStatusCountsThem() throws {
        let daemon = try FeedDaemon()
        defer { daemon.stop() }
        let (_, path) = try daemon.feedStatus()
        #expect(path == daemon.feedPath)
        let client = try FeedSocketClient(path: daemon.feedPath)
        client.send(FeedSocketClient.hello(linkType: Self.rawIPv4))
        #expect(client.helloStatus() == 0)
        let syn = FeedSocketClient.tcpSegment(flags: 0x02, seq: 1000)
        let strayAck = FeedSocketClient.tcpSegment(flags: 0x10, seq: 5000)
        client.send(
            FeedSocketClient.record(syn) + FeedSocketClient.record([0x45, 0, 0])
                + FeedSocketClient.record(
                    FeedSocketClient.tcpSegment(flags: 0x10, seq: 1).enumerated().map { $0.offset == 15 ? 9 : $0.element })
                + FeedSocketClient.end)
        // created, invalid (truncated), no state (an ACK of an unknown flow: other address).
        #expect(client.verdicts() == [0, 4, 3])
        client.send(FeedSocketClient.record(strayAck) + FeedSocketClient.end)
        #expect(client.verdicts()?.count == 1)
        client.send(FeedSocketClient.end)
        #expect(client.verdicts() == [])
        let status = try Self.waitForStatus(daemon) { Self.number($0, "packets_read") == 4 }
        #expect(Self.number(status, "packets_read") == 4)
        #expect(Self.number(status, "states_created") == 1)
        #expect(Self.number(status, "feed_errors") == 0)
    }

    @Test func aBadHelloIsRefusedAndCountedAndTheNextClientIsServed() throws {
        let daemon = try FeedDaemon()
        defer { daemon.stop() }
        let wrongMagic = try FeedSocketClient(path: daemon.feedPath)
        wrongMagic.send(FeedSocketClient.hello(magic: Array("XXXX".utf8), linkType: Self.rawIPv4))
        #expect(wrongMagic.helloStatus() == 1)
        #expect(wrongMagic.receive(1) == nil)
        let wrongLink = try FeedSocketClient(path: daemon.feedPath)
        wrongLink.send(FeedSocketClient.hello(linkType: 4242))
        #expect(wrongLink.helloStatus() == 2)
        let good = try FeedSocketClient(path: daemon.feedPath)
        good.send(FeedSocketClient.hello(linkType: Self.rawIPv4))
        #expect(good.helloStatus() == 0)
        good.send(FeedSocketClient.record(FeedSocketClient.tcpSegment(flags: 0x02, seq: 7)) + FeedSocketClient.end)
        #expect(good.verdicts() == [0])
        let status = try Self.waitForStatus(daemon) { Self.number($0, "feed_errors") == 2 }
        #expect(Self.number(status, "feed_errors") == 2)
        #expect(daemon.isRunning)
    }

    @Test(arguments: [
        FeedSocketClient.u32(0x7FFF_FFFF) + FeedSocketClient.u32(0) + FeedSocketClient.u32(0),
        FeedSocketClient.record([0x45], microseconds: 2_000_000),
    ])
    func aBadRecordClosesTheConnectionWithACountedError(record: [UInt8]) throws {
        let daemon = try FeedDaemon()
        defer { daemon.stop() }
        let client = try FeedSocketClient(path: daemon.feedPath)
        client.send(FeedSocketClient.hello(linkType: Self.rawIPv4))
        #expect(client.helloStatus() == 0)
        client.send(record + FeedSocketClient.end)
        #expect(client.verdicts() == nil)
        let status = try Self.waitForStatus(daemon) { Self.number($0, "feed_errors") == 1 }
        #expect(Self.number(status, "feed_errors") == 1)
        #expect((status["error"] as? String)?.isEmpty == false)
        #expect(daemon.isRunning)
        let next = try FeedSocketClient(path: daemon.feedPath)
        next.send(FeedSocketClient.hello(linkType: Self.rawIPv4))
        #expect(next.helloStatus() == 0)
    }
}
