import PFSyncCore
import Testing

@testable import PFSyncTracker

/// pf_tcp_track_full on hand-built segments: client 10.0.0.1:40000 (ISN 1000) and
/// server 10.0.0.2:80 (ISN 5000).
@Suite("TCP full tracking")
struct TCPTrackingTests {
    typealias F = ParsedPacket.TCPFlags
    let timeouts = TrackerTimeouts.pfDefaults

    /// A state created by the client's SYN, at time 1000.
    func stateFromSYN(windowScale: UInt8? = nil) -> PFState {
        var state = PFState(identity: StateID(id: 1, creatorID: 1))
        let syn = PacketFactory.tcp(fromClient: true, flags: F.syn, seq: 1000, windowScale: windowScale)
        TCPTracking.initialize(&state, packet: syn, now: 1000, timeouts: timeouts)
        return state
    }

    @discardableResult
    func track(
        _ state: inout PFState, fromClient: Bool, flags: UInt8, seq: UInt32, ack: UInt32,
        window: UInt16 = 65_535, payload: UInt32 = 0, windowScale: UInt8? = nil, time: UInt32 = 1000
    ) -> TCPTracking.Outcome {
        let packet = PacketFactory.tcp(
            fromClient: fromClient, flags: flags, seq: seq, ack: ack, window: window,
            payload: payload, windowScale: windowScale, time: time)
        return TCPTracking.trackFull(&state, packet: packet, fromSource: fromClient, now: time, timeouts: timeouts)
    }

    /// The three-way handshake on `state`.
    func handshake(_ state: inout PFState, serverWindowScale: UInt8? = nil) {
        #expect(track(&state, fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001,
                      windowScale: serverWindowScale) == .accepted)
        #expect(track(&state, fromClient: true, flags: F.ack, seq: 1001, ack: 5001) == .accepted)
    }

    @Test("The first SYN sets pf's initial windows: SYN_SENT / CLOSED, tcp.first")
    func creation() {
        let state = stateFromSYN()
        #expect(state.src.state == PeerState.synSent)
        #expect(state.dst.state == PeerState.closed)
        #expect(state.src.seqLo == 1000)
        #expect(state.src.seqHi == 1002)  // seq + len + 1, +1 for the SYN
        #expect(state.src.maxWin == 65_535)
        #expect(state.dst.seqHi == 1)
        #expect(state.dst.maxWin == 1)
        #expect(state.timeout == TimeoutClass.tcpFirstPacket.rawValue)
        #expect(state.expire == 1000 + 120)
    }

    @Test("The handshake makes both peers ESTABLISHED with the tcp.established timeout")
    func handshakeEstablishes() {
        var state = stateFromSYN()
        #expect(track(&state, fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 1001) == .accepted)
        #expect(state.src.state == PeerState.established)
        #expect(state.dst.state == PeerState.synSent)
        #expect(state.timeout == TimeoutClass.tcpOpening.rawValue)
        #expect(track(&state, fromClient: true, flags: F.ack, seq: 1001, ack: 5001, time: 1001) == .accepted)
        #expect(state.src.state == PeerState.established)
        #expect(state.dst.state == PeerState.established)
        #expect(state.dst.seqLo == 5001)
        #expect(state.timeout == TimeoutClass.tcpEstablished.rawValue)
        #expect(state.expire == 1001 + 86_400)
    }

    @Test("FIN exchange: CLOSING, then FIN_WAIT_2 on both sides with tcp.closed")
    func finExchange() {
        var state = stateFromSYN()
        handshake(&state)
        #expect(track(&state, fromClient: true, flags: F.fin | F.ack, seq: 1001, ack: 5001) == .accepted)
        #expect(state.src.state == PeerState.closing)
        #expect(state.timeout == TimeoutClass.tcpClosing.rawValue)
        #expect(track(&state, fromClient: false, flags: F.fin | F.ack, seq: 5001, ack: 1002) == .accepted)
        #expect(state.src.state == PeerState.finWait2)
        #expect(state.dst.state == PeerState.closing)
        #expect(state.timeout == TimeoutClass.tcpFinWait.rawValue)
        #expect(track(&state, fromClient: true, flags: F.ack, seq: 1002, ack: 5002, time: 1005) == .accepted)
        #expect(state.src.state == PeerState.finWait2)
        #expect(state.dst.state == PeerState.finWait2)
        #expect(state.timeout == TimeoutClass.tcpClosed.rawValue)
        #expect(state.expire == 1005 + 90)
    }

    @Test("A RST at seqlo moves both peers to TIME_WAIT with tcp.closed")
    func resetCloses() {
        var state = stateFromSYN()
        handshake(&state)
        #expect(track(&state, fromClient: false, flags: F.rst, seq: 5001, ack: 0) == .accepted)
        #expect(state.src.state == PeerState.timeWait)
        #expect(state.dst.state == PeerState.timeWait)
        #expect(state.timeout == TimeoutClass.tcpClosed.rawValue)
    }

    @Test("A RST whose sequence is not seqlo, seqlo+1 or seqlo-1 is out of window and changes nothing")
    func blindResetRefused() {
        var state = stateFromSYN()
        handshake(&state)
        let before = state
        #expect(track(&state, fromClient: false, flags: F.rst, seq: 5001 + 1000, ack: 0) == .outOfWindow)
        #expect(state == before)
    }

    @Test("Data beyond the peer's window is out of window and leaves the state unchanged")
    func outOfWindowData() {
        var state = stateFromSYN()
        handshake(&state)
        let before = state
        #expect(track(&state, fromClient: true, flags: F.ack | F.psh, seq: 1001 + 200_000, ack: 5001,
                      payload: 100, time: 1500) == .outOfWindow)
        #expect(state == before)
        // Acking data the server never sent is out of window too.
        #expect(track(&state, fromClient: true, flags: F.ack, seq: 1001, ack: 5001 + 100_000) == .outOfWindow)
        #expect(state == before)
    }

    @Test("A retransmitted segment is accepted and does not move seqlo back")
    func retransmission() {
        var state = stateFromSYN()
        handshake(&state)
        #expect(track(&state, fromClient: true, flags: F.ack | F.psh, seq: 1001, ack: 5001, payload: 100) == .accepted)
        #expect(state.src.seqLo == 1101)
        #expect(track(&state, fromClient: true, flags: F.ack | F.psh, seq: 1001, ack: 5001, payload: 100) == .accepted)
        #expect(state.src.seqLo == 1101)
    }

    @Test("Window scaling applies when both SYNs offer it: a scaled window admits far data")
    func windowScalingBothSides() {
        var state = stateFromSYN(windowScale: 7)
        #expect(state.src.wscale == 0x87)
        #expect(state.src.maxWin == 512)  // 65535 unscaled by 2^7, rounded up
        handshake(&state, serverWindowScale: 7)
        #expect(state.dst.wscale == 0x87)
        // The server advertises 1000 << 7 = 128000 bytes.
        #expect(track(&state, fromClient: false, flags: F.ack, seq: 5001, ack: 1001, window: 1000) == .accepted)
        #expect(track(&state, fromClient: true, flags: F.ack | F.psh, seq: 1001 + 100_000, ack: 5001,
                      payload: 1000) == .accepted)
    }

    @Test("Window scaling is dropped when only the client offers it")
    func windowScalingOneSide() {
        var state = stateFromSYN(windowScale: 7)
        handshake(&state, serverWindowScale: nil)
        #expect(state.src.wscale == 0)
        #expect(state.dst.wscale == 0)
        #expect(state.src.maxWin == 65_535)  // the client's window is read unscaled again
        #expect(track(&state, fromClient: false, flags: F.ack, seq: 5001, ack: 1001, window: 1000) == .accepted)
        #expect(track(&state, fromClient: true, flags: F.ack | F.psh, seq: 1001 + 100_000, ack: 5001,
                      payload: 1000) == .outOfWindow)
    }

    @Test("After both FINs, a stray packet past the window is accepted loosely without refreshing expiry")
    func looseAfterClose() {
        var state = stateFromSYN()
        handshake(&state)
        track(&state, fromClient: true, flags: F.fin | F.ack, seq: 1001, ack: 5001)
        track(&state, fromClient: false, flags: F.fin | F.ack, seq: 5001, ack: 1002)
        track(&state, fromClient: true, flags: F.ack, seq: 1002, ack: 5002, time: 1010)
        let expire = state.expire
        // seqhi of the server is 5002 + client window; go 1000 past it.
        let beyond = state.dst.seqHi &+ 1000
        #expect(track(&state, fromClient: false, flags: F.ack | F.psh, seq: beyond, ack: 1002,
                      payload: 10, time: 1050) == .acceptedLoosely)
        #expect(state.expire == expire)
        // Far beyond even the loose window: refused.
        #expect(track(&state, fromClient: false, flags: F.ack | F.psh, seq: beyond &+ 200_000, ack: 1002,
                      payload: 10, time: 1050) == .outOfWindow)
    }

    @Test("Shotgunned SYN retransmissions before the reply are accepted")
    func synRetransmission() {
        var state = stateFromSYN()
        #expect(track(&state, fromClient: true, flags: F.syn, seq: 1000, ack: 0, time: 1001) == .accepted)
        #expect(state.src.state == PeerState.synSent)
    }

    @Test("A SYN|ACK acking the wrong sequence is out of window and leaves the state as created")
    func badSynAck() {
        var state = stateFromSYN()
        let before = state
        #expect(track(&state, fromClient: false, flags: F.syn | F.ack, seq: 5000, ack: 900_000) == .outOfWindow)
        #expect(state == before)
    }

    @Test("pf's timeout class rules", arguments: [
        (PeerState.synSent, PeerState.closed, TimeoutClass.tcpOpening),
        (PeerState.established, PeerState.established, .tcpEstablished),
        (PeerState.closing, PeerState.established, .tcpClosing),
        (PeerState.closing, PeerState.closing, .tcpFinWait),
        (PeerState.finWait2, PeerState.closing, .tcpFinWait),
        (PeerState.finWait2, PeerState.finWait2, .tcpClosed),
        (PeerState.timeWait, PeerState.timeWait, .tcpClosed),
    ])
    func timeoutClasses(source: UInt8, destination: UInt8, expected: TimeoutClass) {
        #expect(TCPTracking.timeoutClass(source: source, destination: destination) == expected)
        #expect(TCPTracking.timeoutClass(source: destination, destination: source) == expected)
    }

    @Test("An ICMP error's quoted sequence must lie in the sender's window")
    func quotedSequence() {
        var state = stateFromSYN()
        handshake(&state)
        #expect(TCPTracking.quotedSequenceIsPlausible(state, quotedSeq: 1001, quotedFromSource: true))
        #expect(TCPTracking.quotedSequenceIsPlausible(state, quotedSeq: 5001, quotedFromSource: false))
        #expect(!TCPTracking.quotedSequenceIsPlausible(state, quotedSeq: 1001 + 500_000, quotedFromSource: true))
    }
}
