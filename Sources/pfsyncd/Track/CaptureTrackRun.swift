import PFSyncCapture
import PFSyncCore
import PFSyncTracker

/// Runs one capture file through a fresh ``Tracker``: the packets' capture times drive the
/// tracker's clock and therefore expiry.
///
/// The tracker is created at the first packet's time (which also seeds state ids). After
/// the last packet one final sweep removes the states already expired at that time, so
/// the surviving states are those alive when the capture ends. Frames whose headers are
/// cut or malformed are counted (as `invalid`) and listed in ``TrackReport/errors``; a
/// file that ends mid-record stops the run with ``TrackReport/truncated`` set.
struct CaptureTrackRun {
    /// At most this many per-packet problems are listed one by one; the rest are summed up
    /// in one closing line.
    static let listedPacketProblems = 20

    let path: String
    let config: TrackerConfig

    /// Opens and tracks the capture.
    /// - Throws: ``CaptureError`` when the file cannot be opened or is not a capture.
    func run() throws(CaptureError) -> TrackReport {
        let source = try PcapFileSource(path: path)
        var errors: [String] = []
        if !source.linkType.isSupported {
            errors.append("link type \(source.linkType) is not supported: no packet can be parsed")
        }
        let parser = PacketParser(linkType: source.linkType)
        let table = StateTable(shardCount: 1, initialCapacityPerShard: 4096)
        var tracker: Tracker?
        var packet = ParsedPacket()
        var frame = 0
        var problems = 0
        source.forEach { header, bytes in
            frame += 1
            parser.parse(bytes, header: header, into: &packet)
            if tracker == nil {
                tracker = Tracker(table: table, config: config, startTime: packet.seconds)
            }
            if let problem = Self.problem(of: packet.status) {
                problems += 1
                if problems <= Self.listedPacketProblems {
                    errors.append("packet \(frame): \(problem)")
                }
            }
            _ = tracker?.process(packet)
        }
        if problems > Self.listedPacketProblems {
            errors.append("\(problems - Self.listedPacketProblems) more packets with truncated or malformed headers")
        }
        if source.truncated {
            errors.append("capture ends early after \(frame) packets: \(source.errorText ?? "read error")")
        }
        tracker?.purgeExpired()
        let summary = tracker?.summary ?? TrackerSummary()
        let clock = tracker?.clock ?? 0
        return TrackReport(
            summary: summary, frames: frame, truncated: source.truncated, errors: errors,
            states: table.allStates().sorted { $0.identity.id < $1.identity.id }, clock: clock)
    }

    /// The text for a packet whose headers could not be read, nil for a parsed or non-IP one.
    static func problem(of status: ParsedPacket.Status) -> String? {
        switch status {
        case .ok, .notIP: return nil
        case .truncated: return "truncated headers"
        case .malformed: return "malformed headers"
        }
    }
}
