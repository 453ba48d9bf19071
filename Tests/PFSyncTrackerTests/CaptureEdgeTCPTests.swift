import PFSyncCore
import Testing

@testable import PFSyncTracker

/// The tracker on the real edge-case captures in ../shared/pcaps/edge-tcp (not committed;
/// skipped when absent). Each test states what a pf firewall with `block all` and
/// `pass keep state` (flags S/SA) would do with the capture's packets.
@Suite(
    "Tracker on edge-case TCP captures",
    .enabled(if: CaptureReplay.available, "skipped: ../shared/pcaps is not present on this machine"))
struct CaptureEdgeTCPTests {
    typealias V = Verdict

    func only(_ tracker: Tracker) throws -> PFState {
        let states = tracker.table.allStates()
        try #require(states.count == 1)
        return states[0]
    }

    @Test("Handshake reorder: the SYN|ACK seen before the SYN has no state; the SYN creates it, the rest matches and closes")
    func handshakeReorder() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__handshake-reorder.pcap")
        #expect(verdicts.count == 14)
        #expect(verdicts.first == .noState)
        #expect(verdicts[1] == .created)
        #expect(verdicts.dropFirst(2).allSatisfy { $0 == .matched })
        let state = try only(tracker)
        #expect(state.src.state == PeerState.finWait2 && state.dst.state == PeerState.finWait2)
        #expect(state.packets == CounterPair(7, 6))
    }

    @Test("Missing SYN: strict pf keeps no state for a connection it never saw open; sloppy picks it up")
    func missingSYN() throws {
        let strict = try CaptureReplay.run("edge-tcp/zeek__missing-syn.pcap")
        #expect(strict.verdicts.count == 21)
        #expect(strict.verdicts.allSatisfy { $0 == .noState })
        #expect(strict.tracker.table.count == 0)

        let sloppy = try CaptureReplay.run("edge-tcp/zeek__missing-syn.pcap", config: TrackerConfig(sloppy: true))
        #expect(sloppy.verdicts.first == .created)
        #expect(sloppy.verdicts.dropFirst().allSatisfy { $0 == .matched })
        let state = try only(sloppy.tracker)
        #expect(state.src.state == PeerState.finWait2 && state.dst.state == PeerState.finWait2)
        // Created by the server's SYN|ACK: the server is the state's source.
        #expect(state.packets == CounterPair(10, 11))
    }

    @Test("SYN then RST: the RST at the SYN's sequence closes the state to TIME_WAIT")
    func synThenRST() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__syn-then-rst.pcap")
        #expect(verdicts == [V.created, .matched])
        let state = try only(tracker)
        #expect(state.src.state == PeerState.timeWait && state.dst.state == PeerState.timeWait)
        #expect(state.timeout == TimeoutClass.tcpClosed.rawValue)
    }

    @Test("SYN, bare ACK from the server, RST: all pass, ending in TIME_WAIT")
    func synThenAckThenRST() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__syn-then-ack-then-rst.pcap")
        #expect(verdicts == [V.created, .matched, .matched])
        let state = try only(tracker)
        #expect(state.src.state == PeerState.timeWait && state.dst.state == PeerState.timeWait)
    }

    @Test("Window scale 255 is capped at 14 and both sides' scaling is recorded")
    func windowScaleRange() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__window-scale-range.pcap")
        #expect(verdicts == [V.created, .matched, .matched, .matched, .matched])
        let state = try only(tracker)
        #expect(state.src.wscale == TCPSequence.wscaleFlag | 14)
        #expect(state.dst.wscale == TCPSequence.wscaleFlag | 7)
        #expect(state.src.state == PeerState.established && state.dst.state == PeerState.established)
    }

    @Test("TCP Fast Open: a SYN carrying data creates the state and its SYN|ACK acks the data")
    func fastOpen() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__tcp-fast-open.pcap")
        #expect(verdicts.filter { $0 == .created }.count == 2)
        #expect(verdicts.filter { $0 == .matched }.count == 14)
        #expect(tracker.summary.outOfWindow == 0 && tracker.summary.noState == 0)
        for state in tracker.table.allStates() {
            #expect(state.src.state == PeerState.finWait2 && state.dst.state == PeerState.finWait2)
        }
    }

    @Test("SYN retransmissions and a long transfer: every packet passes, ending FIN_WAIT_2 on both sides")
    func synRetransmit() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/suricata-verify__syn_retransmit_with_ts.pcap")
        #expect(verdicts.count == 254)
        #expect(verdicts.first == .created)
        #expect(verdicts.dropFirst().allSatisfy { $0 == .matched })
        let state = try only(tracker)
        #expect(state.src.state == PeerState.finWait2 && state.dst.state == PeerState.finWait2)
    }

    @Test("Fast retransmissions stay inside the window; the closing RST ends in TIME_WAIT")
    func fastRetransmit() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__retransmit-fast009.pcap")
        #expect(verdicts.first == .created)
        #expect(verdicts.dropFirst().allSatisfy { $0 == .matched })
        #expect(tracker.summary.outOfWindow == 0)
        let state = try only(tracker)
        #expect(state.src.state == PeerState.timeWait)
    }

    @Test("A FIN without ACK is refused as invalid (pf's normaliser drops it); the flow goes on")
    func finWithoutAck() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__fin_retransmission.pcap")
        #expect(verdicts == [V.created, .invalid, .matched, .matched, .matched])
        #expect(try only(tracker).src.state == PeerState.timeWait)
    }

    @Test("A capture cut inside the SYN's options (snaplen 68): a sloppy state follows the whole SMTP session")
    func truncatedHeader() throws {
        let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/zeek__truncated-header.pcap")
        #expect(verdicts.first == .created)
        #expect(verdicts.dropFirst().allSatisfy { $0 == .matched })
        let state = try only(tracker)
        #expect(state.stateFlags & PFStateFlags.sloppy != 0)
        #expect(state.src.state == PeerState.finWait2 && state.dst.state == PeerState.finWait2)
    }

    @Test("Verdict counters are exact on every edge capture")
    func exactCounters() throws {
        for name in [
            "zeek__handshake-reorder", "zeek__missing-syn", "zeek__tcp-fast-open", "ndpi__fins",
            "zeek__rst-inject-rae", "zeek__truncated-header", "zeek__payload-syn",
        ] {
            let (verdicts, tracker) = try CaptureReplay.run("edge-tcp/\(name).pcap")
            for verdict in Verdict.allCases {
                #expect(tracker.summary.count(of: verdict) == UInt64(verdicts.filter { $0 == verdict }.count), "\(name) \(verdict)")
            }
        }
    }
}
