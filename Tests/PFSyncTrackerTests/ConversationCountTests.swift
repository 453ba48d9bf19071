import Foundation
import PFSyncCore
import Testing

@testable import PFSyncTracker

/// The tracker's connections against tshark's conversation tables.
///
/// What is compared: tshark's `-z conv,tcp` / `-z conv,udp` tables list one row per
/// address/port 4-tuple (packets quoted inside ICMP errors excluded, see
/// ``TShark/conversations(_:file:)``). The tracker, in sloppy mode (a state from any TCP
/// packet, so captures that start mid-connection count too), creates a state per flow; it
/// creates another state for the same 4-tuple when a closed connection's port is reused
/// by a new SYN or when a state expired and the flow resumes. So the comparison is between
/// tshark's set of 4-tuples and the set of distinct 4-tuples the tracker created states
/// for, exactly, both ways; the number of creations may only be larger. tshark's side
/// leaves out what the tracker by design never makes a flow of (see
/// ``TShark/trackableFilter``: ICMP errors, refused TCP flag combinations).
///
/// Excluded: arkime__arkime_synthetic.pcap. It carries tunnels (VXLAN, Geneve, GTP-U,
/// IP-in-UDP, IPv4/IPv6 in IPv6): tshark lists the inner TCP/UDP flows as conversations,
/// while the tracker, like pf on the outer interface, sees only the outer headers (an
/// IP-in-IPv6 packet is an "other" protocol 4 flow to it). Its final TCP states are still
/// checked in ``ConversationFinalStateTests``.
@Suite("Tracker connections match tshark's conversation tables")
struct ConversationCountTests {
    static let sharedCaptures = [
        "netns__http-2k.pcap",
        "zeek__echo-connections.pcap.gz",
        "suricata-verify__output-eve-ftp-data.pcap",
        "pcapplusplus__many-protocols.pcap",
        "ndpi__reddit-ipv6.pcap",
    ]

    @Test(
        "TCP and UDP flows with a state equal tshark's 4-tuples (shared corpus)",
        .enabled(if: ConversationCaptures.sharedAvailable, "skipped: ../shared/pcaps is absent"),
        .enabled(if: TShark.available, "skipped: tshark is not installed (Tools/install-deps.sh --test)"),
        arguments: sharedCaptures)
    func sharedCapture(name: String) throws {
        try compare(path: ConversationCaptures.shared + "/" + name)
    }

    @Test(
        "TCP and UDP flows with a state equal tshark's 4-tuples (project fixture)",
        .enabled(if: TShark.available, "skipped: tshark is not installed (Tools/install-deps.sh --test)"))
    func fixture() throws {
        try compare(path: ConversationCaptures.fixtures + "/netns-mixed.pcap")
    }

    func compare(path: String) throws {
        let replay = try ConversationReplay(path: path, config: TrackerConfig(sloppy: true))
        for (name, proto) in [("tcp", IPProtocol.tcp), ("udp", IPProtocol.udp)] {
            let expected = Set(try TShark.conversations(name, file: path))
            let found = replay.distinctFlows(proto: proto)
            let missing = expected.subtracting(found).map(\.description).sorted()
            let extra = found.subtracting(expected).map(\.description).sorted()
            #expect(found.count == expected.count, "\(name) in \(path): tracker \(found.count), tshark \(expected.count)")
            #expect(missing.isEmpty, "\(name) flows tshark lists but the tracker made no state for: \(missing.prefix(10))")
            #expect(extra.isEmpty, "\(name) flows the tracker made a state for but tshark does not list: \(extra.prefix(10))")
            #expect(replay.creations(proto: proto) >= found.count)
        }
        // The tracker's own counter agrees with the creations seen packet by packet.
        let summary = replay.tracker.summary
        #expect(summary.statesByProto.tcp == UInt64(replay.creations(proto: IPProtocol.tcp)))
        #expect(summary.statesByProto.udp == UInt64(replay.creations(proto: IPProtocol.udp)))
        #expect(summary.packets == summary.statesCreated + summary.matched + summary.outOfWindow + summary.noState + summary.invalid)
    }
}
