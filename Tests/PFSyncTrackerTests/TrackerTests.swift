import PFSyncCore
import Testing

@testable import PFSyncTracker

/// The tracker over a real ``StateTable``: verdicts, keys, counters and expiry.
@Suite("Tracker")
struct TrackerTests {
    typealias F = ParsedPacket.TCPFlags
    typealias P = PacketFactory

    static func makeTracker(_ config: TrackerConfig = TrackerConfig(creatorID: 0xC0FFEE)) -> Tracker {
        Tracker(table: StateTable(shardCount: 4, initialCapacityPerShard: 16, hashSeed: 1), config: config, startTime: 1_000)
    }

    func tcpState(_ tracker: Tracker) -> (state: PFState, fromSource: Bool)? {
        tracker.lookup(proto: 6, source: P.client, destination: P.server, sourcePort: P.clientPort, destinationPort: P.serverPort)
    }

    func handshake(_ tracker: inout Tracker) -> [Verdict] {
        [
            tracker.process(P.tcp(fromClient: true, flags: F.syn, seq: 1000)),
            tracker.process(P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001)),
            tracker.process(P.tcp(fromClient: true, flags: F.ack, seq: 1001, ack: 5001)),
        ]
    }

    @Test("A SYN whose options the capture cut (snaplen) makes a sloppy state: the hosts' window scaling is unknown")
    func cutSynOptionsMakeASloppyState() throws {
        var tracker = Self.makeTracker()
        var syn = P.tcp(fromClient: true, flags: F.syn, seq: 1000, window: 64_240)
        syn.tcpOptionsCut = true
        #expect(tracker.process(syn) == .created)
        let state = try #require(tcpState(tracker)).state
        #expect(state.stateFlags & PFStateFlags.sloppy != 0)
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001, window: 502)) == .matched)
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.ack, seq: 1001, ack: 5001, window: 502)) == .matched)
        // 100 KB beyond the client's largest unscaled window (64,240): full tracking calls it
        // out of window; hosts that scale their windows may send it, so here it is not.
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.ack, seq: 5001, ack: 1001, window: 502, payload: 1448)) == .matched)
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.ack, seq: 5001 + 100_000, ack: 1001, window: 502, payload: 1448)) == .matched)

        // The same without the cut: full tracking, and the far segment is out of window.
        var full = Self.makeTracker()
        #expect(full.process(P.tcp(fromClient: true, flags: F.syn, seq: 1000, window: 64_240)) == .created)
        #expect((tcpState(full)?.state.stateFlags ?? PFStateFlags.sloppy) & PFStateFlags.sloppy == 0)
        _ = full.process(P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001, window: 502))
        _ = full.process(P.tcp(fromClient: true, flags: F.ack, seq: 1001, ack: 5001, window: 502))
        #expect(full.process(P.tcp(fromClient: false, flags: F.ack, seq: 5001 + 100_000, ack: 1001, window: 502, payload: 1448)) == .outOfWindow)
    }

    @Test("A SYN-ACK whose options the capture cut turns its state sloppy")
    func cutSynAckOptionsMakeTheStateSloppy() throws {
        var tracker = Self.makeTracker()
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.syn, seq: 1000, window: 64_240, windowScale: 7)) == .created)
        #expect((try #require(tcpState(tracker)).state.stateFlags) & PFStateFlags.sloppy == 0)
        var synAck = P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001, window: 65_160)
        synAck.tcpOptionsCut = true
        #expect(tracker.process(synAck) == .matched)
        #expect((try #require(tcpState(tracker)).state.stateFlags) & PFStateFlags.sloppy != 0)
    }

    @Test("Handshake: created, matched, matched; both ESTABLISHED; keyed as pf keys an inbound state")
    func handshakeThroughTable() throws {
        var tracker = Self.makeTracker()
        #expect(handshake(&tracker) == [.created, .matched, .matched])
        let found = try #require(tcpState(tracker))
        #expect(found.fromSource)
        let state = found.state
        #expect(state.src.state == PeerState.established)
        #expect(state.dst.state == PeerState.established)
        #expect(state.wireKey.addr0 == P.client && state.wireKey.port0 == P.clientPort)
        #expect(state.wireKey.addr1 == P.server && state.wireKey.port1 == P.serverPort)
        #expect(state.identity.creatorID == 0xC0FFEE)
        #expect(state.identity.id >> 32 == 1_000)
        #expect(state.direction == PFDirection.inbound)
        #expect(state.proto == 6 && state.af == .inet)
        #expect(state.creation == 1_000)
        #expect(state.expire == 1_000 + 86_400)
        #expect(state.packets == CounterPair(2, 1))
        #expect(state.bytes == CounterPair(80, 40))
        // The reply's view of the same state says "not from the source".
        let reply = try #require(tracker.lookup(
            proto: 6, source: P.server, destination: P.client, sourcePort: P.serverPort, destinationPort: P.clientPort))
        #expect(!reply.fromSource)
        #expect(reply.state.identity == state.identity)
        #expect(tracker.summary.statesCreated == 1 && tracker.summary.statesByProto.tcp == 1)
        #expect(tracker.summary.matched == 2 && tracker.summary.packets == 3 && tracker.summary.bytes == 120)
    }

    @Test("Outbound direction keys the state from the destination's side")
    func outboundKeys() throws {
        var tracker = Self.makeTracker(TrackerConfig(direction: PFDirection.outbound))
        #expect(handshake(&tracker) == [.created, .matched, .matched])
        let state = try #require(tcpState(tracker)).state
        #expect(state.wireKey.addr0 == P.server && state.wireKey.addr1 == P.client)
        #expect(state.direction == PFDirection.outbound)
        #expect(state.dst.state == PeerState.established)
    }

    @Test("A mid-stream packet: no state when strict, a sloppy state when sloppy")
    func midStream() throws {
        var strict = Self.makeTracker()
        #expect(strict.process(P.tcp(fromClient: true, flags: F.ack | F.psh, seq: 77_000, ack: 99_000, payload: 100)) == .noState)
        #expect(strict.process(P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001)) == .noState)
        #expect(tcpState(strict) == nil)
        #expect(strict.summary.noState == 2 && strict.summary.statesCreated == 0)

        var sloppy = Self.makeTracker(TrackerConfig(sloppy: true))
        #expect(sloppy.process(P.tcp(fromClient: true, flags: F.ack | F.psh, seq: 77_000, ack: 99_000, payload: 100)) == .created)
        // Sequence numbers far apart still match: sloppy states skip the window checks.
        #expect(sloppy.process(P.tcp(fromClient: false, flags: F.ack, seq: 3_000_000_000, ack: 12)) == .matched)
        let state = try #require(tcpState(sloppy)).state
        #expect(state.stateFlags & PFStateFlags.sloppy != 0)

        var anyTCP = Self.makeTracker(TrackerConfig(createOnAnyTCP: true))
        #expect(anyTCP.process(P.tcp(fromClient: true, flags: F.ack, seq: 77_000, ack: 99_000)) == .created)
        #expect(try #require(tcpState(anyTCP)).state.stateFlags & PFStateFlags.sloppy == 0)
    }

    @Test("Out-of-window data is counted and leaves the stored state unchanged")
    func outOfWindow() throws {
        var tracker = Self.makeTracker()
        _ = handshake(&tracker)
        let before = try #require(tcpState(tracker)).state
        let far = P.tcp(fromClient: true, flags: F.ack | F.psh, seq: 1001 + 500_000, ack: 5001, payload: 10, time: 1_002)
        #expect(tracker.process(far) == .outOfWindow)
        #expect(try #require(tcpState(tracker)).state == before)
        #expect(tracker.summary.outOfWindow == 1)
    }

    @Test("Only packets that change a state queue it for replication; out-of-window ones do not")
    func outOfWindowQueuesNothing() throws {
        var tracker = Self.makeTracker()
        _ = handshake(&tracker)
        var deltas: [StateDelta] = []
        for shard in 0..<tracker.table.shardCount { tracker.table.drainChanges(shard: shard, into: &deltas) }
        #expect(tracker.table.pendingChangeCount == 0)
        let far = P.tcp(fromClient: true, flags: F.ack | F.psh, seq: 1001 + 500_000, ack: 5001, payload: 10, time: 1_002)
        #expect(tracker.process(far) == .outOfWindow)
        #expect(tracker.table.pendingChangeCount == 0)
        let inWindow = P.tcp(fromClient: true, flags: F.ack | F.psh, seq: 1001, ack: 5001, payload: 10, time: 1_002)
        #expect(tracker.process(inWindow) == .matched)
        #expect(tracker.table.pendingChangeCount == 1)
    }

    @Test("FIN exchange then a new SYN on the same ports recycles the closed state")
    func finThenReuse() throws {
        var tracker = Self.makeTracker()
        _ = handshake(&tracker)
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.fin | F.ack, seq: 1001, ack: 5001)) == .matched)
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.fin | F.ack, seq: 5001, ack: 1002)) == .matched)
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.ack, seq: 1002, ack: 5002)) == .matched)
        let closed = try #require(tcpState(tracker)).state
        #expect(closed.src.state == PeerState.finWait2 && closed.dst.state == PeerState.finWait2)
        #expect(closed.timeout == TimeoutClass.tcpClosed.rawValue)

        #expect(tracker.process(P.tcp(fromClient: true, flags: F.syn, seq: 90_000, time: 1_003)) == .created)
        let fresh = try #require(tcpState(tracker)).state
        #expect(fresh.identity != closed.identity)
        #expect(fresh.src.state == PeerState.synSent && fresh.src.seqLo == 90_000)
        #expect(tracker.summary.recycled == 1 && tracker.summary.statesCreated == 2)
        #expect(tracker.table.count == 1)
    }

    @Test("RST closes both peers to TIME_WAIT")
    func reset() throws {
        var tracker = Self.makeTracker()
        _ = handshake(&tracker)
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.rst | F.ack, seq: 5001, ack: 1001)) == .matched)
        let state = try #require(tcpState(tracker)).state
        #expect(state.src.state == PeerState.timeWait && state.dst.state == PeerState.timeWait)
    }

    @Test("UDP: created SINGLE, reply makes the originator MULTIPLE, then both MULTIPLE")
    func udp() throws {
        var tracker = Self.makeTracker()
        #expect(tracker.process(P.udp(fromClient: true)) == .created)
        #expect(tracker.process(P.udp(fromClient: false)) == .matched)
        let afterReply = try #require(tracker.lookup(proto: 17, source: P.client, destination: P.server, sourcePort: 53_000, destinationPort: 53)).state
        #expect(afterReply.src.state == PeerState.multiple && afterReply.dst.state == PeerState.single)
        #expect(afterReply.timeout == TimeoutClass.udpSingle.rawValue)
        #expect(tracker.process(P.udp(fromClient: true, time: 1_004)) == .matched)
        let both = try #require(tracker.lookup(proto: 17, source: P.server, destination: P.client, sourcePort: 53, destinationPort: 53_000)).state
        #expect(both.src.state == PeerState.multiple && both.dst.state == PeerState.multiple)
        #expect(both.timeout == TimeoutClass.udpMultiple.rawValue && both.expire == 1_064)
        #expect(both.packets == CounterPair(2, 1))
        #expect(tracker.summary.statesByProto.udp == 1)
    }

    @Test("ICMP echo: request creates, reply matches; another id is another state")
    func echo() throws {
        var tracker = Self.makeTracker()
        #expect(tracker.process(P.echo(request: true, id: 7)) == .created)
        #expect(tracker.process(P.echo(request: false, id: 7)) == .matched)
        #expect(tracker.process(P.echo(request: true, id: 8)) == .created)
        let state = try #require(tracker.lookup(proto: 1, source: P.client, destination: P.server, sourcePort: 7, destinationPort: 7)).state
        #expect(state.timeout == TimeoutClass.icmpErrorReply.rawValue)
        #expect(state.packets == CounterPair(1, 1))
        #expect(tracker.summary.statesByProto.icmp == 2)
    }

    @Test("An ICMP error quoting a tracked TCP flow matches it; unknown flows get no state")
    func icmpError() throws {
        var tracker = Self.makeTracker()
        _ = handshake(&tracker)
        let before = try #require(tcpState(tracker)).state
        #expect(tracker.process(P.icmpErrorQuotingTCP(quotedFromClient: true, quotedSeq: 1001)) == .matched)
        #expect(tracker.process(P.icmpErrorQuotingTCP(quotedFromClient: false, quotedSeq: 5001)) == .matched)
        let after = try #require(tcpState(tracker)).state
        #expect(after.packets.reverse == before.packets.reverse + 1)
        #expect(after.packets.forward == before.packets.forward + 1)
        #expect(after.expire == before.expire)
        #expect(tracker.process(P.icmpErrorQuotingTCP(quotedFromClient: true, quotedSeq: 1001 + 900_000)) == .outOfWindow)
        var unknown = P.icmpErrorQuotingTCP(quotedFromClient: true, quotedSeq: 1001)
        unknown.quotedDstPort = 443
        #expect(tracker.process(unknown) == .noState)
        var noQuote = unknown
        noQuote.hasQuoted = false
        #expect(tracker.process(noQuote) == .invalid)
        #expect(tracker.summary.matchedICMPErrors == 2)
        #expect(tracker.summary.statesByProto.icmp == 0)
    }

    @Test("Expiry: states go when the clock passes their expire time, not before")
    func expiry() throws {
        var timeouts = TrackerTimeouts()
        timeouts.interval = 0
        var tracker = Self.makeTracker(TrackerConfig(timeouts: timeouts))
        #expect(tracker.process(P.udp(fromClient: true, time: 1_000)) == .created)  // expires 1060
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.syn, seq: 1, time: 1_000)) == .created)  // 1120
        #expect(tracker.advanceClock(to: 1_059) == 0)
        #expect(tracker.advanceClock(to: 1_060) == 1)
        #expect(tracker.table.count == 1)
        // A packet 120 s after the SYN drives the clock itself and purges the TCP state first.
        #expect(tracker.process(P.tcp(fromClient: false, flags: F.syn | F.ack, seq: 9, ack: 2, time: 1_120)) == .noState)
        #expect(tracker.table.count == 0)
        #expect(tracker.summary.expired == 2)
    }

    @Test("The purge runs every `interval` seconds, as pf's purge thread does")
    func purgeInterval() {
        var tracker = Self.makeTracker()  // interval 10
        #expect(tracker.process(P.echo(request: true, id: 1, time: 1_000)) == .created)  // expires 1020
        #expect(tracker.advanceClock(to: 1_012) == 0)  // a sweep ran; the next is due at 1022
        #expect(tracker.advanceClock(to: 1_021) == 0)  // expired, but no sweep yet
        #expect(tracker.table.count == 1)
        #expect(tracker.advanceClock(to: 1_022) == 1)
        #expect(tracker.table.count == 0)
    }

    @Test("Bad input: truncated, malformed and refused flags are invalid; non-IP is not a packet")
    func invalidInput() {
        var tracker = Self.makeTracker()
        var truncated = P.tcp(fromClient: true, flags: F.syn, seq: 1)
        truncated.status = .truncated
        var malformed = truncated
        malformed.status = .malformed
        var notIP = ParsedPacket()
        notIP.status = .notIP
        #expect(tracker.process(truncated) == .invalid)
        #expect(tracker.process(malformed) == .invalid)
        #expect(tracker.process(P.tcp(fromClient: true, flags: F.syn | F.fin, seq: 1)) == .invalid)
        #expect(tracker.process(notIP) == .notIP)
        #expect(tracker.summary.invalid == 3 && tracker.summary.packets == 3 && tracker.summary.notIP == 1)
        #expect(tracker.table.count == 0)
    }

    @Test("Non-first fragments cannot match a state")
    func fragments() {
        var tracker = Self.makeTracker()
        var fragment = P.udp(fromClient: true)
        fragment.isFragment = true
        fragment.fragmentOffset = 1480
        #expect(tracker.process(fragment) == .noState)
        #expect(tracker.summary.fragments == 1)
        fragment.fragmentOffset = 0
        #expect(tracker.process(fragment) == .created)
    }

    @Test("Verdict counters are exact over a mixed, seeded random sequence")
    func exactCounters() {
        var tracker = Self.makeTracker()
        var generator = SplitMix(seed: 42)
        var tally: [Verdict: UInt64] = [:]
        let flagChoices: [UInt8] = [F.syn, F.syn | F.ack, F.ack, F.ack | F.psh, F.fin | F.ack, F.rst, F.syn | F.fin, 0]
        for step in 0..<5_000 {
            var packet: ParsedPacket
            switch generator.next() % 4 {
            case 0, 1:
                packet = P.tcp(
                    fromClient: generator.next() % 2 == 0,
                    flags: flagChoices[Int(generator.next() % UInt64(flagChoices.count))],
                    seq: UInt32(truncatingIfNeeded: generator.next() % 4000),
                    ack: UInt32(truncatingIfNeeded: generator.next() % 8000),
                    payload: UInt32(generator.next() % 100), time: 1_000 + UInt32(step / 50))
                packet.srcPort = packet.srcPort &+ UInt16(generator.next() % 3)
            case 2:
                packet = P.udp(fromClient: generator.next() % 2 == 0, time: 1_000 + UInt32(step / 50))
            default:
                packet = P.echo(request: generator.next() % 2 == 0, id: UInt16(generator.next() % 5), time: 1_000 + UInt32(step / 50))
            }
            tally[tracker.process(packet), default: 0] += 1
        }
        let summary = tracker.summary
        for verdict in Verdict.allCases {
            #expect(summary.count(of: verdict) == tally[verdict, default: 0], "\(verdict)")
        }
        #expect(summary.packets == 5_000)
        #expect(summary.statesCreated + summary.matched + summary.outOfWindow + summary.noState + summary.invalid == summary.packets)
        #expect(summary.statesByProto.total == summary.statesCreated)
        #expect(UInt64(tracker.table.count) + summary.expired + summary.recycled == summary.statesCreated)
    }
}

/// A small deterministic generator for reproducible random tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
