import ArgumentParser
import PFSyncCapture
import PFSyncTracker

/// `pfsyncd track FILE [--json] [--states] [--sloppy]`: runs a capture through the tracker.
struct TrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Run a capture through the pf-like connection tracker and summarise the verdicts.",
        discussion: """
            Packet capture times drive the tracker's clock and expiry (pf's default timeouts). \
            With --json the summary is one JSON object with the keys packets, bytes, \
            states_created, states_by_proto, matched, out_of_window, no_state, invalid, \
            expired, truncated and errors; with --states it is followed by the states alive at \
            the end of the capture, one per line (like pfctl -ss, or one JSON object per state \
            with --json). A capture that ends mid-record is reported, not fatal.
            """
    )

    /// The capture to read.
    @Argument(help: "A pcap, pcapng or gzip-compressed pcap file.")
    var file: String

    /// JSON instead of text.
    @Flag(help: "Print the summary as one JSON object (and each state as one JSON object per line).")
    var json = false

    /// List the surviving states.
    @Flag(help: "List the states alive at the end of the capture, like pfctl -ss.")
    var states = false

    /// pf's `keep state (sloppy)`.
    @Flag(help: "Sloppy TCP tracking: no sequence-window checks; states are created from any TCP packet (captures that start mid-connection, asymmetric paths).")
    var sloppy = false

    func run() throws {
        let report: TrackReport
        do {
            report = try CaptureTrackRun(path: file, config: TrackerConfig(sloppy: sloppy)).run()
        } catch {
            TrackWriter.standardError("pfsyncd track: \(error)")
            throw ExitCode(1)
        }
        var lines = [json ? report.summaryJSON : report.summaryText]
        if states {
            if json {
                lines += report.states.map { StateListing.json($0, now: report.clock) }
            } else {
                lines.append("")
                lines += report.states.map(StateListing.line)
            }
        }
        TrackWriter.standardOutput(lines.joined(separator: "\n"))
    }
}
