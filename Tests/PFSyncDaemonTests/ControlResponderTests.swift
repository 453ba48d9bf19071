import NIOCore
import NIOEmbedded
import PFSyncCore
@testable import PFSyncReplication
import Testing
@testable import PFSyncDaemon

@Suite struct ControlResponderTests {
    private static func snapshot() -> EngineSnapshot {
        var counters = ReplicationCounters()
        counters[.ipackets] = 10
        counters[.badauth] = 2
        counters[.bytesSent] = 1000
        counters[.rawBytesSent] = 3000
        counters[.retransmitted] = 4
        counters.countAction(1, incoming: false, 7)
        var status = EngineStatus()
        status.peerID = 2
        status.peerEpoch = 1234
        status.lastFrameNanos = 1_000_000
        status.bulk.incoming = .done
        var transport = TransportCounters()
        transport.badSource = 3
        return EngineSnapshot(
            counters: counters, status: status, lag: LagHistogram(), transport: transport, takenNanos: 251_000_000)
    }

    private func makeResponder(loop: EmbeddedEventLoop, table: StateTable) -> ControlResponder {
        ControlResponder(
            nodeID: 1, epoch: 99, peerAddress: "127.0.0.1:8240", table: table, role: NodeRole(),
            captures: CaptureMonitor(sources: [CaptureStatus(name: "a.pcap", isFile: true)]),
            snapshot: { loop.makeSucceededFuture(Self.snapshot()) })
    }

    private func ask(_ responder: ControlResponder, _ line: String, loop: EmbeddedEventLoop) throws -> JSONValue {
        let future = responder.respond(to: Array(line.utf8), on: loop)
        loop.run()
        return try future.wait()
    }

    @Test func statsCarriesEveryPfsyncCounterAndTheViews() throws {
        let loop = EmbeddedEventLoop()
        let responder = makeResponder(loop: loop, table: StateTable(shardCount: 2))
        let response = try ask(responder, #"{"command":"stats"}"#, loop: loop)
        #expect(response["ok"]?.boolValue == true)
        let stats = try #require(response["result"])
        let pfsync = try #require(stats["pfsync"]?.objectPairs)
        #expect(pfsync.map(\.0) == [
            "ipackets", "ipackets6", "badif", "badttl", "hdrops", "badver", "badauth", "badact", "badlen", "badval",
            "stale", "badstate", "opackets", "opackets6", "onomem", "oerrors",
        ])
        #expect(stats["pfsync"]?["ipackets"]?.unsignedValue == 10)
        #expect(stats["pfsync"]?["badauth"]?.unsignedValue == 2)
        #expect(stats["actions"]?["out"]?["INS"]?.unsignedValue == 7)
        #expect(stats["traffic"]?["compression_ratio_sent"]?.doubleValue == 3)
        #expect(stats["reliability"]?["retransmitted"]?.unsignedValue == 4)
        #expect(stats["transport"]?["bad_source"]?.unsignedValue == 3)
        for view in ["table", "traffic", "reliability", "queues", "bulk", "lag", "tracker"] {
            #expect(stats[view]?.objectPairs != nil, "missing view \(view)")
        }
    }

    @Test func statusShowsPeerBulkAndCapture() throws {
        let loop = EmbeddedEventLoop()
        let responder = makeResponder(loop: loop, table: StateTable(shardCount: 2))
        let status = try #require(try ask(responder, #"{"command":"status"}"#, loop: loop)["result"])
        #expect(status["role"]?.stringValue == "active")
        #expect(status["peer"]?["id"]?.unsignedValue == 2)
        #expect(status["peer"]?["last_frame_ms_ago"]?.doubleValue == 250)
        #expect(status["bulk"]?["incoming"]?.stringValue == "done")
        #expect(status["capture"]?.arrayValue?.first?["phase"]?.stringValue == "starting")
    }

    @Test func promoteFlipsTheRoleOnce() throws {
        let loop = EmbeddedEventLoop()
        let responder = makeResponder(loop: loop, table: StateTable(shardCount: 2))
        let first = try ask(responder, #"{"command":"promote"}"#, loop: loop)
        #expect(first["result"]?["changed"]?.boolValue == true)
        #expect(first["result"]?["role"]?.stringValue == "master")
        let second = try ask(responder, #"{"command":"promote"}"#, loop: loop)
        #expect(second["result"]?["changed"]?.boolValue == false)
        let status = try ask(responder, #"{"command":"status"}"#, loop: loop)
        #expect(status["result"]?["promoted"]?.boolValue == true)
    }

    @Test func statesAreListedInIDOrderWithKeysAndPeers() throws {
        let loop = EmbeddedEventLoop()
        let table = StateTable(shardCount: 4)
        for id: UInt64 in [30, 10, 20] {
            var state = PFState(
                identity: StateID(id: id, creatorID: 1), proto: 6,
                wireKey: StateKey(addr0: IPAddress(ipv4: 0x0A00_0001), addr1: IPAddress(ipv4: 0x0A00_0002),
                                  port0: UInt16(id), port1: 80))
            state.src.state = PeerState.established
            state.expire = UInt32.max
            _ = table.insert(state)
        }
        let result = try ask(makeResponder(loop: loop, table: table), #"{"command":"states"}"#, loop: loop)
        let states = try #require(result["result"]?["states"]?.arrayValue)
        #expect(states.map { $0["id"]?.stringValue } == [Hex.u64(10), Hex.u64(20), Hex.u64(30)])
        #expect(states[0]["key"]?.arrayValue?.first?["addr"] == .array([.string("10.0.0.1"), .string("10.0.0.2")]))
        #expect(states[0]["src"]?["state"]?.unsignedValue == UInt64(PeerState.established))
    }

    @Test(arguments: [#"{"command":"reboot"}"#, "not json", #"{"cmd":"stats"}"#, #"["stats"]"#])
    func badRequestsGetAnErrorNotACrash(line: String) throws {
        let loop = EmbeddedEventLoop()
        let response = try ask(makeResponder(loop: loop, table: StateTable(shardCount: 2)), line, loop: loop)
        #expect(response["ok"]?.boolValue == false)
        #expect(response["error"]?.stringValue?.isEmpty == false)
    }
}
