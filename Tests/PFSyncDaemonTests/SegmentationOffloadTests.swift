#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import PFSyncCore
import PFSyncReplication
@testable import PFSyncWire
import Testing
@testable import PFSyncDaemon

/// A burst of frames to a peer that takes padded frames goes as one UDP GSO write; the test
/// plays the kernel and cuts each write into datagrams of its segment size.
@Suite struct SegmentationOffloadTests {
    typealias Node = SyncChannelHandlerTests.Node

    /// Fails every GSO write, as a socket on a device without UDP segmentation does.
    final class RefuseSegmentedWrites: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if unwrapOutboundIn(data).metadata?.segmentSize != nil {
                promise?.fail(IOError(errnoCode: 5, reason: "sendmmsg"))
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    static func makeNode(id: UInt32, port: Int, peerPort: Int, refuseSegmented: Bool = false) throws -> Node {
        try SyncChannelHandlerTests.makeNode(
            id: id, port: port, peerPort: peerPort, segmentationOffload: true,
            outboundBefore: refuseSegmented ? RefuseSegmentedWrites() : nil)
    }

    /// Both sides say HELLO; `a` then knows that `b` takes padded frames.
    static func handshake(_ a: Node, _ b: Node) throws {
        a.handler.start()
        b.handler.start()
        try deliver(from: a, to: b)
        try deliver(from: b, to: a)
        #expect(a.handler.engine.peerTakesPaddedFrames)
    }

    /// What moved: the writes, the datagrams they were cut into, and the GSO writes' segment sizes.
    struct Delivery {
        var writes = 0
        var datagrams = 0
        var segmentSizes: [Int] = []
    }

    /// Moves every write of `from` to `to`, cut as the kernel cuts a GSO write: every
    /// datagram `segmentSize` bytes, the last one maybe shorter.
    @discardableResult
    static func deliver(from: Node, to: Node) throws -> Delivery {
        var delivery = Delivery()
        while let envelope = try from.channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            delivery.writes += 1
            var data = envelope.data
            let size = envelope.metadata?.segmentSize ?? data.readableBytes
            if let segmentSize = envelope.metadata?.segmentSize {
                delivery.segmentSizes.append(segmentSize)
                #expect(data.readableBytes > segmentSize, "a GSO write carries more than one datagram")
            }
            while data.readableBytes > 0, let datagram = data.readSlice(length: min(size, data.readableBytes)) {
                try to.channel.writeInbound(AddressedEnvelope(remoteAddress: from.address, data: datagram))
                delivery.datagrams += 1
            }
        }
        return delivery
    }

    /// Moves every write of `from` to `to` as a UDP GRO read hands it over: a GSO write's
    /// datagrams in one buffer, with their segment size. Returns the GSO writes moved and
    /// the datagrams they held, with the plain datagrams.
    @discardableResult
    /// With `readComplete` false, the reads are one burst: the receiver's read-complete
    /// event does not follow each.
    static func deliverCoalesced(from: Node, to: Node, readComplete: Bool = true) throws -> (coalesced: Int, datagrams: Int) {
        var moved = (coalesced: 0, datagrams: 0)
        while let envelope = try from.channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            let segmentSize = envelope.metadata?.segmentSize
            if let segmentSize {
                moved.coalesced += 1
                moved.datagrams += (envelope.data.readableBytes + segmentSize - 1) / segmentSize
            } else {
                moved.datagrams += 1
            }
            let metadata = AddressedEnvelope<ByteBuffer>.Metadata(
                ecnState: .transportNotCapable, packetInfo: nil, segmentSize: segmentSize)
            let read = AddressedEnvelope(remoteAddress: from.address, data: envelope.data, metadata: metadata)
            if readComplete {
                try to.channel.writeInbound(read)
            } else {
                to.channel.pipeline.syncOperations.fireChannelRead(NIOAny(read))
            }
        }
        return moved
    }

    /// Inserts `count` states on `a` and ticks both sides until `b` holds them (bounded).
    static func replicate(_ count: Int, from a: Node, to b: Node, rounds: Int = 50, pauseMicroseconds: UInt32 = 0) throws -> Delivery {
        for id in 1...count { _ = a.table.insert(SyncChannelHandlerTests.state(UInt64(id))) }
        var total = Delivery()
        for _ in 0..<rounds where b.table.count < count {
            a.handler.tick()
            b.handler.tick()
            let moved = try deliver(from: a, to: b)
            total.writes += moved.writes
            total.datagrams += moved.datagrams
            total.segmentSizes += moved.segmentSizes
            try deliver(from: b, to: a)
            // Let the engines' NACK and keepalive timers run on the monotonic clock.
            if pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
        }
        return total
    }

    @Test func aBurstGoesAsOneSegmentedWriteAndArrivesWhole() throws {
        let a = try Self.makeNode(id: 1, port: 9201, peerPort: 9202)
        let b = try Self.makeNode(id: 2, port: 9202, peerPort: 9201)
        try Self.handshake(a, b)

        let moved = try Self.replicate(3_000, from: a, to: b)
        #expect(b.table.count == 3_000)
        #expect(b.table.state(for: StateID(id: 2_999, creatorID: 1))?.wireKey == SyncChannelHandlerTests.state(2_999).wireKey)
        // Frames of one size are padded to the sealer's bound; fewer writes than datagrams.
        let sent = a.handler.snapshot()
        #expect(!moved.segmentSizes.isEmpty)
        #expect(moved.segmentSizes.allSatisfy { $0 == a.handler.engine.config.maxDatagramSize })
        #expect(moved.writes < moved.datagrams)
        #expect(sent.transport.segmentedWrites == UInt64(moved.segmentSizes.count))
        #expect(sent.transport.paddingBytes > 0)
        #expect(sent.transport.datagramsSent >= UInt64(moved.datagrams))
        // The backup took every padded datagram as a frame: none was refused.
        let received = b.handler.snapshot()
        #expect(received.counters[.badlen] == 0)
        #expect(received.counters[.badauth] == 0)
    }

    @Test func beforeThePeerSaysItTakesPaddedFramesEachFrameIsItsOwnDatagram() throws {
        let a = try Self.makeNode(id: 1, port: 9203, peerPort: 9204)
        let b = try Self.makeNode(id: 2, port: 9204, peerPort: 9203)
        a.handler.start()
        #expect(!a.handler.engine.peerTakesPaddedFrames)
        for id in 1...1_000 { _ = a.table.insert(SyncChannelHandlerTests.state(UInt64(id))) }
        a.handler.tick()
        let moved = try Self.deliver(from: a, to: b)
        #expect(moved.datagrams > 2)
        #expect(moved.segmentSizes.isEmpty)
        #expect(moved.writes == moved.datagrams)
        #expect(a.handler.snapshot().transport.segmentedWrites == 0)
    }

    @Test func aRefusedSegmentedWriteTurnsSegmentationOffAndNothingIsLost() throws {
        let a = try Self.makeNode(id: 1, port: 9205, peerPort: 9206, refuseSegmented: true)
        let b = try Self.makeNode(id: 2, port: 9206, peerPort: 9205)
        try Self.handshake(a, b)

        let moved = try Self.replicate(3_000, from: a, to: b, rounds: 3_000, pauseMicroseconds: 2_000)
        #expect(b.table.count == 3_000)
        let sent = a.handler.snapshot()
        #expect(sent.transport.segmentationFailures == 1)
        #expect(moved.segmentSizes.isEmpty)
        #expect(sent.counters[.retransmitted] > 0)
    }

    @Test func aGROReadIsSplitBackIntoItsDatagrams() throws {
        let a = try Self.makeNode(id: 1, port: 9209, peerPort: 9210)
        let b = try Self.makeNode(id: 2, port: 9210, peerPort: 9209)
        try Self.handshake(a, b)
        for id in 1...3_000 { _ = a.table.insert(SyncChannelHandlerTests.state(UInt64(id))) }
        let datagramsBefore = b.handler.snapshot().counters[.ipackets]
        var coalesced = 0
        var datagrams = 0
        for _ in 0..<50 where b.table.count < 3_000 {
            a.handler.tick()
            b.handler.tick()
            let moved = try Self.deliverCoalesced(from: a, to: b)
            coalesced += moved.coalesced
            datagrams += moved.datagrams
            try Self.deliver(from: b, to: a)
        }
        #expect(b.table.count == 3_000)
        #expect(coalesced > 0)
        let received = b.handler.snapshot()
        #expect(received.transport.coalescedReads == UInt64(coalesced))
        // Every datagram of every read was taken as a frame of its own.
        #expect(received.counters[.ipackets] - datagramsBefore == UInt64(datagrams))
        #expect(received.counters[.badlen] == 0)
        #expect(received.counters[.badauth] == 0)
        #expect(received.counters[.lost] == 0)
    }

    @Test func anAckLeavesInTheMiddleOfAReadBurst() throws {
        let a = try Self.makeNode(id: 1, port: 9211, peerPort: 9212)
        let b = try Self.makeNode(id: 2, port: 9212, peerPort: 9211)
        try Self.handshake(a, b)
        for id in 1...6_000 { _ = a.table.insert(SyncChannelHandlerTests.state(UInt64(id))) }
        a.handler.tick()
        // One burst of reads (no read-complete, no tick) of more frames than b acknowledges
        // at a time: the ACK it wrote on the way is already out, not waiting for the end of
        // the burst.
        #expect(try Self.deliverCoalesced(from: a, to: b, readComplete: false).coalesced > 1)
        #expect(b.handler.engine.currentCounters[.acksSent] > 0)
        var kinds: [UInt8] = []
        while let envelope = try b.channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            kinds.append(envelope.data.getInteger(at: envelope.data.readerIndex + SyncFrameLayout.Offset.kind) ?? 0)
        }
        #expect(kinds.contains(SyncFrameKind.ack.rawValue), "kinds written and flushed: \(kinds)")
    }

    /// A handler given a new socket (``SyncSocketKeeper``, after SwiftNIO closed the old one:
    /// a GSO write the path refuses is one of the errors that close it) sends one datagram
    /// per frame from then on, and its engine carries on: what went nowhere while there was
    /// no socket still reaches the peer (in this exchange, by a bulk update).
    @Test func aHandlerOnAReopenedSocketWritesWithoutSegmentationAndCatchesUp() throws {
        let a = try Self.makeNode(id: 1, port: 9207, peerPort: 9208)
        let b = try Self.makeNode(id: 2, port: 9208, peerPort: 9207)
        try Self.handshake(a, b)
        _ = try a.channel.finish(acceptAlreadyClosed: true)
        for id in 1...500 { _ = a.table.insert(SyncChannelHandlerTests.state(UInt64(id))) }
        a.handler.tick()
        let framesWhileClosed = a.handler.snapshot().counters[.framesSent]
        let reopened = EmbeddedChannel()
        a.handler.socketReopened()
        try reopened.pipeline.syncOperations.addHandler(a.handler)
        let moved = Node(channel: reopened, handler: a.handler, table: a.table, address: a.address)

        let delivery = try Self.replicate(3_000, from: moved, to: b, rounds: 3_000, pauseMicroseconds: 2_000)
        #expect(b.table.count == 3_000)
        #expect(delivery.segmentSizes.isEmpty)
        #expect(delivery.writes == delivery.datagrams)
        let sent = a.handler.snapshot()
        #expect(sent.transport.socketReopens == 1)
        #expect(sent.transport.segmentedWrites == 0)
        #expect(framesWhileClosed > 0, "frames went nowhere while there was no socket")
    }
}
