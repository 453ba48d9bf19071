import PFSyncCore
import Testing

@testable import PFSyncTracker

@Suite("TCP sloppy tracking and flag policy")
struct TCPSloppyAndFlagsTests {
    typealias F = ParsedPacket.TCPFlags
    let timeouts = TrackerTimeouts.pfDefaults

    @Test("Sloppy: an ACK after the SYN with nothing from the server makes both ESTABLISHED")
    func oneSidedEstablish() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1))
        let syn = PacketFactory.tcp(fromClient: true, flags: F.syn, seq: 1000)
        TCPTracking.initialize(&state, packet: syn, now: 1000, timeouts: timeouts)
        let ack = PacketFactory.tcp(fromClient: true, flags: F.ack, seq: 1001, ack: 777_777)
        TCPTracking.trackSloppy(&state, packet: ack, fromSource: true, now: 1001, timeouts: timeouts)
        #expect(state.src.state == PeerState.established)
        #expect(state.dst.state == PeerState.established)
        #expect(state.timeout == TimeoutClass.tcpEstablished.rawValue)
    }

    @Test("Sloppy ignores sequence numbers entirely")
    func noSequenceChecks() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1))
        let syn = PacketFactory.tcp(fromClient: true, flags: F.syn, seq: 1000)
        TCPTracking.initialize(&state, packet: syn, now: 1000, timeouts: timeouts)
        let wild = PacketFactory.tcp(fromClient: false, flags: F.syn | F.ack, seq: 3_000_000_000, ack: 42)
        #expect(TCPTracking.trackSloppy(&state, packet: wild, fromSource: false, now: 1000, timeouts: timeouts) == .accepted)
        #expect(state.src.state == PeerState.established)
        #expect(state.dst.state == PeerState.synSent)
    }

    @Test("Sloppy: a FIN then the other side's ACK reach FIN_WAIT_2; a RST reaches TIME_WAIT")
    func sloppyClose() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1))
        state.src.state = PeerState.established
        state.dst.state = PeerState.established
        let fin = PacketFactory.tcp(fromClient: true, flags: F.fin | F.ack, seq: 1)
        TCPTracking.trackSloppy(&state, packet: fin, fromSource: true, now: 1, timeouts: timeouts)
        #expect(state.src.state == PeerState.closing)
        let ack = PacketFactory.tcp(fromClient: false, flags: F.ack, seq: 1)
        TCPTracking.trackSloppy(&state, packet: ack, fromSource: false, now: 1, timeouts: timeouts)
        #expect(state.src.state == PeerState.finWait2)
        let rst = PacketFactory.tcp(fromClient: false, flags: F.rst, seq: 1)
        TCPTracking.trackSloppy(&state, packet: rst, fromSource: false, now: 1, timeouts: timeouts)
        #expect(state.src.state == PeerState.timeWait)
        #expect(state.dst.state == PeerState.timeWait)
        #expect(state.timeout == TimeoutClass.tcpClosed.rawValue)
    }

    static let flagCases: [(UInt8, Bool)] = [
        (F.syn | F.rst, false), (F.syn | F.fin, false), (0, false), (F.fin, false),
        (F.fin | F.psh | F.urg, false), (F.syn | F.psh, false),
        (F.syn, true), (F.syn | F.ack, true), (F.ack, true), (F.rst, true), (F.rst | F.ack, true),
        (F.fin | F.ack, true), (F.psh | F.ack, true), (F.syn | F.ece | F.cwr, true),
    ]

    @Test("Flag combinations pf's normaliser drops are refused", arguments: flagCases)
    func flagPolicy(flags: UInt8, acceptable: Bool) {
        #expect(TCPFlagPolicy.isAcceptable(flags) == acceptable)
    }

    @Test("A SYN on a state with both peers past FIN_WAIT_2 is a reuse; a SYN|ACK is not")
    func reuse() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1))
        state.src.state = PeerState.finWait2
        state.dst.state = PeerState.timeWait
        #expect(TCPTracking.isReuse(of: state, flags: F.syn))
        #expect(!TCPTracking.isReuse(of: state, flags: F.syn | F.ack))
        state.dst.state = PeerState.established
        #expect(!TCPTracking.isReuse(of: state, flags: F.syn))
    }
}
