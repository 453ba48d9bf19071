import Foundation
import PFSyncCapture
import PFSyncCore

@testable import PFSyncTracker

/// Replays a capture through a tracker and records, independently of the tracker's own
/// counters, which flows got a state created.
struct ConversationReplay {
    /// Every packet whose verdict was `created`, as the undirected flow it belongs to.
    var createdFlows: [FlowTuple] = []
    /// The tracker after the last packet.
    var tracker: Tracker

    /// Replays `path`; `observe` runs after every packet with its 1-based frame number.
    init(
        path: String, config: TrackerConfig,
        observe: (_ frame: Int, _ packet: ParsedPacket, _ tracker: Tracker) -> Void = { _, _, _ in }
    ) throws {
        let source = try PcapFileSource(path: path)
        let parser = PacketParser(linkType: source.linkType)
        var tracker: Tracker?
        var created: [FlowTuple] = []
        var packet = ParsedPacket()
        var frame = 0
        source.forEach { header, bytes in
            frame += 1
            parser.parse(bytes, header: header, into: &packet)
            if tracker == nil {
                tracker = Tracker(
                    table: StateTable(shardCount: 2, initialCapacityPerShard: 1024, hashSeed: 11),
                    config: config, startTime: packet.seconds)
            }
            if tracker?.process(packet) == .created {
                created.append(Self.flow(of: packet))
            }
            if let tracker { observe(frame, packet, tracker) }
        }
        guard let tracker else { throw ReplayFailure.empty(path) }
        self.tracker = tracker
        self.createdFlows = created
    }

    enum ReplayFailure: Error { case empty(String) }

    /// The undirected flow of a parsed packet.
    static func flow(of packet: ParsedPacket) -> FlowTuple {
        let inet6 = packet.af == .inet6
        return FlowTuple(
            proto: packet.proto,
            FlowEndpoint(address: packet.srcAddr, port: packet.srcPort, inet6: inet6),
            FlowEndpoint(address: packet.dstAddr, port: packet.dstPort, inet6: inet6))
    }

    /// Distinct created flows of one protocol.
    func distinctFlows(proto: UInt8) -> Set<FlowTuple> {
        Set(createdFlows.filter { $0.proto == proto })
    }

    /// States created for one protocol (a flow reused after close, or resumed after its
    /// state expired, counts again).
    func creations(proto: UInt8) -> Int {
        createdFlows.filter { $0.proto == proto }.count
    }
}

/// Paths of the captures the conversation tests read.
enum ConversationCaptures {
    /// The shared corpus (never committed).
    static let shared = CaptureReplay.root
    /// The project's own captures (Tools/fixtures/make-captures.sh).
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/captures").path

    static var sharedAvailable: Bool { CaptureReplay.available }

    /// A number from the fixture's expected.json ("script" holds what the script did,
    /// the rest tshark's counts at generation time).
    static func fixtureExpectation(_ key: String, inScript: Bool = false) throws -> Int? {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/netns-mixed.expected.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let scope = inScript ? object?["script"] as? [String: Any] : object
        return scope?[key] as? Int
    }
}
