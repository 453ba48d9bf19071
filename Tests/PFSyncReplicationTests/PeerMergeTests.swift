import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

@Suite struct PeerMergeTests {
    func tcpState(src: StatePeer, dst: StatePeer) -> PFState {
        var state = PFState(identity: StateID(id: 1, creatorID: 1), proto: 6)
        state.src = src
        state.dst = dst
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.expire = 100
        return state
    }

    /// Counters only grow: an older copy (a bulk state copied before the change reached its
    /// sender, a late frame) leaves the larger count in place, per direction.
    @Test func countersNeverGoBack() {
        let peer = StatePeer(seqLo: 1000, state: PeerState.established)
        var local = tcpState(src: peer, dst: peer)
        local.packets = CounterPair(225, 4)
        local.bytes = CounterPair(9_000, 100)
        let outcome = PeerMerge.merge(
            into: &local, src: peer, dst: peer, timeout: local.timeout, expire: 100,
            counters: StateCounters(packets: CounterPair(0, 10), bytes: CounterPair(0, 700)))
        #expect(outcome.refreshed)
        #expect(local.packets == CounterPair(225, 10))
        #expect(local.bytes == CounterPair(9_000, 700))
        #expect(CounterPair.later(CounterPair(1, 9), CounterPair(5, 2)) == CounterPair(5, 9))
    }

    @Test func freshPeersAreImported() {
        var local = tcpState(
            src: StatePeer(seqLo: 1000, state: PeerState.established),
            dst: StatePeer(seqLo: 5000, state: PeerState.established))
        let outcome = PeerMerge.merge(
            into: &local,
            src: StatePeer(seqLo: 2000, state: PeerState.established),
            dst: StatePeer(seqLo: 6000, state: PeerState.finWait1),
            timeout: TimeoutClass.tcpClosing.rawValue, expire: 900)
        #expect(outcome == .init(stalePeers: 0, refreshed: true))
        #expect(local.src.seqLo == 2000 && local.dst.state == PeerState.finWait1 && local.expire == 900)
    }

    /// Both nodes see the traffic: the peer's seqLo is newer, but the window edge it knows
    /// (from an older ACK) is behind ours. The peer is imported without shrinking the window.
    @Test func anImportedPeerNeverShrinksTheWindow() {
        var local = tcpState(
            src: StatePeer(seqLo: 1000, seqHi: 90_000, maxWin: 65_000, state: PeerState.established),
            dst: StatePeer(seqLo: 5000, seqHi: 70_000, maxWin: 29_000, state: PeerState.established))
        let outcome = PeerMerge.merge(
            into: &local,
            src: StatePeer(seqLo: 2460, seqHi: 80_000, maxWin: 60_000, state: PeerState.established),
            dst: StatePeer(seqLo: 5000, seqHi: 75_000, maxWin: 30_000, state: PeerState.established),
            timeout: 2, expire: 500)
        #expect(outcome == .init(stalePeers: 0, refreshed: true))
        #expect(local.src.seqLo == 2460)
        #expect(local.src.seqHi == 90_000 && local.src.maxWin == 65_000, "ours were wider")
        #expect(local.dst.seqHi == 75_000 && local.dst.maxWin == 30_000, "theirs were wider")
        // A peer that moves to another TCP state is taken whole (the handshake sets windows).
        var closing = tcpState(
            src: StatePeer(seqLo: 1000, seqHi: 90_000, state: PeerState.established),
            dst: StatePeer(seqLo: 5000, seqHi: 70_000, state: PeerState.established))
        _ = PeerMerge.merge(
            into: &closing, src: StatePeer(seqLo: 1001, seqHi: 2000, state: PeerState.finWait1),
            dst: StatePeer(seqLo: 5000, seqHi: 70_000, state: PeerState.established), timeout: 2, expire: 500)
        #expect(closing.src.seqHi == 2000)
    }

    @Test func aStalePeerIsNeverImportedSoTheWindowNeverRollsBack() {
        var local = tcpState(
            src: StatePeer(seqLo: 200_000, state: PeerState.established),
            dst: StatePeer(seqLo: 5000, state: PeerState.established))
        let outcome = PeerMerge.merge(
            into: &local,
            src: StatePeer(seqLo: 100_000, state: PeerState.established),
            dst: StatePeer(seqLo: 6000, state: PeerState.established),
            timeout: 2, expire: 500)
        #expect(outcome == .init(stalePeers: 1, refreshed: true))
        #expect(local.src.seqLo == 200_000)
        #expect(local.dst.seqLo == 6000)
    }

    @Test func bothStaleKeepsExpiry() {
        var local = tcpState(
            src: StatePeer(seqLo: 10, state: PeerState.timeWait),
            dst: StatePeer(seqLo: 10, state: PeerState.timeWait))
        let outcome = PeerMerge.merge(
            into: &local, src: StatePeer(seqLo: 10, state: PeerState.established),
            dst: StatePeer(seqLo: 10, state: PeerState.established), timeout: 2, expire: 999)
        #expect(outcome == .init(stalePeers: 2, refreshed: false))
        #expect(local.expire == 100)
    }

    @Test func sequenceComparisonWrapsAround() {
        #expect(SequenceMath.greater(5, 0xFFFF_FFF0))
        #expect(!SequenceMath.greater(0xFFFF_FFF0, 5))
        var local = tcpState(
            src: StatePeer(seqLo: 5, state: PeerState.established),
            dst: StatePeer(seqLo: 0, state: PeerState.established))
        let outcome = PeerMerge.merge(
            into: &local, src: StatePeer(seqLo: 0xFFFF_FFF0, state: PeerState.established),
            dst: StatePeer(seqLo: 0, state: PeerState.established), timeout: 2, expire: 1)
        #expect(outcome.stalePeers == 1)
        #expect(local.src.seqLo == 5)
    }

    @Test func udpPseudoStatesOnlyMoveForward() {
        var local = PFState(identity: StateID(id: 2, creatorID: 1), proto: 17)
        local.src.state = PeerState.multiple
        local.dst.state = PeerState.single
        let outcome = PeerMerge.merge(
            into: &local, src: StatePeer(state: PeerState.single), dst: StatePeer(state: PeerState.multiple),
            timeout: 8, expire: 60)
        #expect(outcome.stalePeers == 1)
        #expect(local.src.state == PeerState.multiple && local.dst.state == PeerState.multiple)
    }
}
