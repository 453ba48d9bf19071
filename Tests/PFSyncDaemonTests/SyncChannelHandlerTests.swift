#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import PFSyncConfig
import PFSyncCore
import PFSyncReplication
import PFSyncWire
import Synchronization
import Testing
@testable import PFSyncDaemon

/// Two handlers on embedded channels, datagrams carried between them by the test.
@Suite struct SyncChannelHandlerTests {
    struct Node {
        let channel: EmbeddedChannel
        let handler: SyncChannelHandler
        let table: StateTable
        let address: SocketAddress
    }

    static let key = try! SyncKey(bytes: [UInt8](repeating: 7, count: 32))

    /// - Parameters:
    ///   - segmentationOffload: GSO writes of padded frames (see ``SegmentationOffloadTests``).
    ///   - outboundBefore: a handler placed before the sync handler, which sees its writes.
    static func makeNode(
        id: UInt32, port: Int, peerPort: Int, faults: TestingConfig = TestingConfig(),
        segmentationOffload: Bool = false, outboundBefore: (any ChannelOutboundHandler & Sendable)? = nil,
        configure: (inout EngineConfig) -> Void = { _ in }
    ) throws -> Node {
        var sync = SyncConfig()
        sync.peer = "127.0.0.1"
        sync.port = UInt16(port)
        sync.peerPort = UInt16(peerPort)
        let endpoints = try SyncEndpoints(sync: sync)
        let table = StateTable(shardCount: 2)
        var config = EngineConfig(nodeID: id, epoch: 1000 + id)
        config.maxDatagramSize = endpoints.maxDatagramSize
        configure(&config)
        let engine = ReplicationEngine(config: config, table: table, key: key)
        let handler = SyncChannelHandler(
            engine: engine, endpoints: endpoints, faults: FaultInjector(settings: faults),
            segmentationOffload: segmentationOffload, wallSeconds: { 1_700_000_000 })
        let channel = EmbeddedChannel()
        if let outboundBefore { try channel.pipeline.syncOperations.addHandler(outboundBefore) }
        try channel.pipeline.syncOperations.addHandler(handler)
        return Node(channel: channel, handler: handler, table: table, address: try SocketAddress(ipAddress: "127.0.0.1", port: port))
    }

    /// Moves every datagram `from` wrote to `to`; returns how many.
    @discardableResult
    static func deliver(from: Node, to: Node) throws -> Int {
        var count = 0
        while let envelope = try from.channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            #expect(envelope.remoteAddress.port == to.address.port)
            try to.channel.writeInbound(AddressedEnvelope(remoteAddress: from.address, data: envelope.data))
            count += 1
        }
        return count
    }

    static func state(_ id: UInt64) -> PFState {
        var state = PFState(
            identity: StateID(id: id, creatorID: 1), proto: 6,
            wireKey: StateKey(addr0: IPAddress(ipv4: 0x0A00_0001), addr1: IPAddress(ipv4: 0x0A00_0002),
                              port0: UInt16(truncatingIfNeeded: id), port1: 443))
        state.src.state = PeerState.established
        state.dst.state = PeerState.established
        state.creation = 1_700_000_000
        state.expire = 1_700_086_400
        return state
    }

    @Test func changesOnOneSideArriveOnTheOther() throws {
        let a = try Self.makeNode(id: 1, port: 9001, peerPort: 9002)
        let b = try Self.makeNode(id: 2, port: 9002, peerPort: 9001)
        a.handler.start()
        b.handler.start()
        for id in 1...500 { _ = a.table.insert(Self.state(UInt64(id))) }
        for _ in 0..<5 {
            a.handler.tick()
            b.handler.tick()
            try Self.deliver(from: a, to: b)
            try Self.deliver(from: b, to: a)
        }
        #expect(b.table.count == 500)
        #expect(b.table.state(for: StateID(id: 250, creatorID: 1))?.wireKey == Self.state(250).wireKey)
        let snapshot = b.handler.snapshot()
        #expect(snapshot.counters[.ipackets] > 0)
        #expect(snapshot.status.peerID == 1)
    }

    @Test func datagramsFromAnotherAddressAreDroppedAndCounted() throws {
        let a = try Self.makeNode(id: 1, port: 9001, peerPort: 9002)
        let b = try Self.makeNode(id: 2, port: 9002, peerPort: 9001)
        a.handler.start()
        while let envelope = try a.channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            let stranger = try SocketAddress(ipAddress: "127.0.0.9", port: 9001)
            try b.channel.writeInbound(AddressedEnvelope(remoteAddress: stranger, data: envelope.data))
        }
        let snapshot = b.handler.snapshot()
        #expect(snapshot.transport.badSource > 0)
        #expect(snapshot.counters[.ipackets] == 0)
        #expect(snapshot.status.peerID == nil)
    }

    @Test func lossyLinkStillConvergesThroughRetransmission() throws {
        var faults = TestingConfig()
        faults.dropPercent = 20
        faults.duplicatePercent = 5
        faults.reorderPercent = 10
        faults.seed = 3
        let a = try Self.makeNode(id: 1, port: 9001, peerPort: 9002, faults: faults)
        let b = try Self.makeNode(id: 2, port: 9002, peerPort: 9001, faults: faults)
        a.handler.start()
        b.handler.start()
        for round in 0..<3000 {
            if round < 20 {
                for id in 0..<100 { _ = a.table.insert(Self.state(UInt64(round * 100 + id + 1))) }
            }
            a.handler.tick()
            b.handler.tick()
            try Self.deliver(from: a, to: b)
            try Self.deliver(from: b, to: a)
            if round > 20 && b.table.count == 2000 { break }
            // Let the engines' NACK and keepalive timers run on the monotonic clock.
            usleep(2000)
        }
        #expect(b.table.count == 2000)
        #expect(a.handler.snapshot().transport.faultDropped > 0)
        #expect(a.handler.snapshot().counters[ReplicationCounters.Counter.retransmitted] > 0
            || b.handler.snapshot().counters[ReplicationCounters.Counter.resyncs] > 0)
    }
}

/// A sync link with nothing to do ticks at the idle interval, and a change brings the tick
/// back to the flush interval.
@Suite struct IdleTickTests {
    @Test func quietLinkTicksSlowlyUntilAChange() throws {
        let a = try SyncChannelHandlerTests.makeNode(id: 1, port: 9101, peerPort: 9102)
        let b = try SyncChannelHandlerTests.makeNode(id: 2, port: 9102, peerPort: 9101)
        let woken = WakeCount()
        a.table.changeSignal.setWake { woken.count.add(1, ordering: .relaxed) }
        a.handler.start()
        b.handler.start()
        #expect(a.handler.idleInterval > a.handler.busyInterval)
        // Handshake and the (empty) bulk updates both ways, until both are quiet.
        var quiet = false
        for _ in 0..<20 {
            let next = (a.handler.tick(), b.handler.tick())
            let carried = try SyncChannelHandlerTests.deliver(from: a, to: b) + SyncChannelHandlerTests.deliver(from: b, to: a)
            if next == (a.handler.idleInterval, b.handler.idleInterval), carried == 0 {
                quiet = true
                break
            }
        }
        #expect(quiet, "an idle pair should tick at the idle interval")
        #expect(a.table.changeSignal.isArmed)
        #expect(woken.count.load(ordering: .relaxed) == 0)

        // A writer's change pokes the armed signal: the sender is woken, once.
        _ = a.table.insert(SyncChannelHandlerTests.state(1))
        a.table.changeSignal.poke()
        a.table.changeSignal.poke()
        #expect(woken.count.load(ordering: .relaxed) == 1)
        #expect(!a.table.changeSignal.isArmed)
        // That tick sends the insert; the link lingers at the busy interval for a few quiet
        // ticks (a trickle of changes is not woken one by one), then idles again.
        #expect(a.handler.tick() == a.handler.busyInterval)
        #expect(a.table.pendingChangeCount == 0)
        for _ in 0..<TickPace.lingerTicks { #expect(a.handler.tick() == a.handler.busyInterval) }
        #expect(a.handler.tick() == a.handler.idleInterval)
        #expect(a.table.changeSignal.isArmed)
        // b applies the frame and ACKs it as soon as it has read it: no tick needed for that.
        try SyncChannelHandlerTests.deliver(from: a, to: b)
        #expect(b.table.count == 1)
        #expect(b.handler.engine.isQuiet)
        #expect(try SyncChannelHandlerTests.deliver(from: b, to: a) == 1)
    }

    @Test func aHeldBackAckGoesOutWithTheFirstTickAfterItsDelay() throws {
        let a = try SyncChannelHandlerTests.makeNode(id: 1, port: 9121, peerPort: 9122)
        let b = try SyncChannelHandlerTests.makeNode(id: 2, port: 9122, peerPort: 9121) { config in
            config.ackDelayNanos = 20_000_000
            config.keepaliveNanos = 10_000_000_000  // idle ticks 5 s apart
        }
        a.handler.start()
        b.handler.start()
        for _ in 0..<20 {
            _ = (a.handler.tick(), b.handler.tick())
            let carried = try SyncChannelHandlerTests.deliver(from: a, to: b) + SyncChannelHandlerTests.deliver(from: b, to: a)
            if carried == 0, b.handler.engine.ackDueNanos == nil { break }
        }
        _ = a.table.insert(SyncChannelHandlerTests.state(1))
        _ = a.handler.tick()
        #expect(try SyncChannelHandlerTests.deliver(from: a, to: b) == 1)
        #expect(b.table.count == 1)
        // b holds the ACK back (a takes delayed ACKs): nothing goes back yet, and the held
        // ACK does not keep b busy (it goes with the next read or tick after its delay).
        #expect(try SyncChannelHandlerTests.deliver(from: b, to: a) == 0)
        let due = try #require(b.handler.engine.ackDueNanos)
        #expect(b.handler.engine.isQuiet)
        _ = b.handler.tick()
        #expect(try SyncChannelHandlerTests.deliver(from: b, to: a) == 0, "not due yet")
        // Once the delay has passed, the tick sends it.
        while DaemonClock.monotonicNanos() < due { usleep(1_000) }
        _ = b.handler.tick()
        #expect(b.handler.engine.ackDueNanos == nil)
        #expect(try SyncChannelHandlerTests.deliver(from: b, to: a) == 1)
        #expect(a.handler.snapshot().counters[ReplicationCounters.Counter.acksReceived] >= 1)
    }

    @Test func changesTheWindowHoldsBackKeepTheLinkBusy() throws {
        let node = try SyncChannelHandlerTests.makeNode(id: 1, port: 9111, peerPort: 9112) { config in
            config.maxFramesInFlight = 1
            config.requestBulkOnStart = false
        }
        let (handler, table) = (node.handler, node.table)
        handler.start()
        // The first change goes out and fills the one-frame window (no peer ever ACKs it).
        _ = table.insert(SyncChannelHandlerTests.state(1))
        #expect(handler.tick() == handler.busyInterval)
        #expect(table.pendingChangeCount == 0)
        // The next one cannot go: it waits in the table, and the link keeps ticking at the
        // flush interval with its change signal disarmed, however long it waits.
        _ = table.insert(SyncChannelHandlerTests.state(2))
        for _ in 0..<(3 * TickPace.lingerTicks) {
            #expect(handler.tick() == handler.busyInterval)
        }
        #expect(table.pendingChangeCount == 1)
        #expect(!table.changeSignal.isArmed)
        // Without the held-back change the same link idles after lingering.
        let quietTable = StateTable(shardCount: 2)
        var pace = TickPace(busy: .milliseconds(2), idle: .milliseconds(50))
        for _ in 0..<TickPace.lingerTicks {
            #expect(pace.next(active: false, quiet: true, table: quietTable) == .milliseconds(2))
        }
        #expect(pace.next(active: false, quiet: true, table: quietTable) == .milliseconds(50))
        #expect(quietTable.changeSignal.isArmed)
        #expect(pace.next(active: true, quiet: true, table: quietTable) == .milliseconds(2))
        #expect(!quietTable.changeSignal.isArmed)
    }
}

final class WakeCount: Sendable {
    let count = Atomic<Int>(0)
}
