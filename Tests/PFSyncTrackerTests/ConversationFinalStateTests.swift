import Foundation
import PFSyncCore
import Testing

@testable import PFSyncTracker

/// Final TCP states of complete sessions, against how tshark shows each session ending.
///
/// The tracker runs in its default (strict) mode: states only from a SYN, full sequence
/// tracking. A session's state is read right after its last packet (later it may expire).
/// Expected, as pf does it (see `TCPTracking.trackFull`): no FIN or RST after the
/// handshake: ESTABLISHED on both peers; both FINs sent and acknowledged: FIN_WAIT_2 on
/// both (pf never moves a peer to TIME_WAIT on a normal close); a RST: TIME_WAIT on both.
/// Sessions the capture does not show completely (no SYN, a half-close, ...) are not judged.
@Suite("Final TCP states of complete sessions")
struct ConversationFinalStateTests {
    static let captures = [
        "netns__http-2k.pcap",
        "zeek__echo-connections.pcap.gz",
        "suricata-verify__output-eve-ftp-data.pcap",
        "arkime__arkime_synthetic.pcap",
    ]

    @Test(
        "Complete sessions end ESTABLISHED, FIN_WAIT_2 after FINs, TIME_WAIT after RST (shared corpus)",
        .enabled(if: ConversationCaptures.sharedAvailable, "skipped: ../shared/pcaps is absent"),
        .enabled(if: TShark.available, "skipped: tshark is not installed (Tools/install-deps.sh --test)"),
        arguments: captures)
    func sharedCapture(name: String) throws {
        let judged = try check(path: ConversationCaptures.shared + "/" + name)
        #expect(judged > 0, "no complete session found in \(name)")
    }

    @Test(
        "Complete sessions of the project fixture end as pf would leave them",
        .enabled(if: TShark.available, "skipped: tshark is not installed (Tools/install-deps.sh --test)"))
    func fixture() throws {
        let path = ConversationCaptures.fixtures + "/netns-mixed.pcap"
        let sessions = try TCPSession.sessions(file: path)
        // What the script did: HTTP connections closed by FIN, some aborted by RST after
        // the handshake, some refused (SYN answered by RST, never complete).
        let closed = try #require(try ConversationCaptures.fixtureExpectation("http_connections", inScript: true))
        let aborted = try #require(try ConversationCaptures.fixtureExpectation("rst_connections", inScript: true))
        let refused = try #require(try ConversationCaptures.fixtureExpectation("refused_connections", inScript: true))
        #expect(sessions.filter { $0.ending == .finished }.count == closed)
        #expect(sessions.filter { $0.ending == .reset }.count == aborted)
        #expect(sessions.filter { $0.ending == .incomplete }.count == refused)
        #expect(try check(path: path) == closed + aborted)
    }

    /// Replays `path` and checks every complete session; returns how many were judged.
    func check(path: String) throws -> Int {
        let sessions = try TCPSession.sessions(file: path).filter { $0.expectedPeerState != nil }
        var byLastFrame: [Int: [TCPSession]] = [:]
        for session in sessions { byLastFrame[session.lastFrame, default: []].append(session) }
        var observed: [(TCPSession, StatePeer, StatePeer)?] = []
        _ = try ConversationReplay(path: path, config: TrackerConfig()) { frame, _, tracker in
            for session in byLastFrame[frame] ?? [] {
                let found = tracker.lookup(
                    af: session.initiator.inet6 ? .inet6 : .inet, proto: IPProtocol.tcp,
                    source: session.initiator.address, destination: session.responder.address,
                    sourcePort: session.initiator.port, destinationPort: session.responder.port)
                guard let found else { observed.append(nil); continue }
                let initiator = found.fromSource ? found.state.src : found.state.dst
                let responder = found.fromSource ? found.state.dst : found.state.src
                observed.append((session, initiator, responder))
            }
        }
        #expect(observed.count == sessions.count)
        var wrong: [String] = []
        for entry in observed {
            guard let (session, initiator, responder) = entry else {
                wrong.append("a complete session has no state after its last packet")
                continue
            }
            let want = session.expectedPeerState ?? 0
            if initiator.state != want || responder.state != want {
                wrong.append("\(session.initiator) -> \(session.responder) (\(session.ending)): "
                    + "\(PeerState.tcpName(initiator.state)):\(PeerState.tcpName(responder.state)), want \(PeerState.tcpName(want))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(sessions.count) sessions in \(path): \(wrong.prefix(10))")
        return sessions.count
    }
}
