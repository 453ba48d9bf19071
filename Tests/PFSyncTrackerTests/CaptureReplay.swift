import Foundation
import PFSyncCapture
import PFSyncCore

@testable import PFSyncTracker

/// Replays a capture from /work/shared/pcaps through a tracker.
enum CaptureReplay {
    static let root = SharedPcaps.root

    /// True when the shared captures are present (they are never committed).
    static var available: Bool { FileManager.default.fileExists(atPath: root + "/MANIFEST.tsv") }

    /// Runs every packet of `name` (relative to the capture root) through a new tracker and
    /// returns the verdicts in file order and the tracker.
    static func run(_ name: String, config: TrackerConfig = TrackerConfig()) throws -> (verdicts: [Verdict], tracker: Tracker) {
        let source = try PcapFileSource(path: root + "/" + name)
        let parser = PacketParser(linkType: source.linkType)
        var tracker: Tracker? = nil
        var verdicts: [Verdict] = []
        var packet = ParsedPacket()
        source.forEach { header, bytes in
            parser.parse(bytes, header: header, into: &packet)
            if tracker == nil {
                tracker = Tracker(
                    table: StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 7),
                    config: config, startTime: packet.seconds)
            }
            verdicts.append(tracker!.process(packet))
        }
        guard let tracker else { throw ReplayError.empty(name) }
        return (verdicts, tracker)
    }

    enum ReplayError: Error { case empty(String) }
}
