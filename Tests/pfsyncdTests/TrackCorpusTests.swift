import Foundation
import Testing

/// `pfsyncd track` on the shared corpus (read in place, never committed).
@Suite("pfsyncd track: the built binary on the shared capture corpus")
struct TrackCorpusTests {
    /// The corrupt captures, found by listing the folder (a new file is covered too).
    static var corruptFiles: [String] {
        let folder = TrackRunner.sharedRoot + "/corrupt"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") || $0.hasSuffix(".gz") }.sorted()
    }

    /// A column of MANIFEST.tsv for one capture (nil when the file or the column is absent).
    static func manifest(_ relativePath: String, _ column: String) throws -> String? {
        let text = try String(contentsOfFile: TrackRunner.sharedRoot + "/MANIFEST.tsv", encoding: .utf8)
        let rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, let pathColumn = header.firstIndex(of: "path"),
              let valueColumn = header.firstIndex(of: column) else { return nil }
        let row = rows.first { $0.count > valueColumn && $0[pathColumn] == relativePath }
        return row?[valueColumn]
    }

    @Test(
        "Every corrupt capture: exit 0, one summary object, truncated as the manifest says, nothing traps",
        .enabled(if: TrackRunner.sharedAvailable, "skipped: ../shared/pcaps is absent"))
    func corruptCaptures() throws {
        let files = Self.corruptFiles
        #expect(!files.isEmpty)
        for name in files {
            let path = TrackRunner.sharedRoot + "/corrupt/" + name
            let result = try TrackRunner.track(["--json", "--states", path])
            #expect(result.status == 0, "\(name): exit \(result.status), stderr: \(result.stderr)")
            let objects = try TrackRunner.objects(result.stdout)
            let summary = try #require(objects.first, "\(name): no output")
            #expect(Set(summary.keys) == TrackRunner.summaryKeys, "\(name)")
            let readError = try Self.manifest("corrupt/" + name, "read_error")
            let cut = !(readError ?? "").isEmpty
            let truncated = summary["truncated"] as? Bool
            let errors = summary["errors"] as? [String] ?? []
            // A file cut mid-record must be reported as truncated. libpcap also stops at a
            // damaged record header (pcapfix's example) that the manifest's own reader
            // skipped: that too is reported as truncated, with libpcap's reason.
            if cut { #expect(truncated == true, "\(name): manifest read_error \(readError ?? "nil")") }
            #expect(truncated == errors.contains { $0.contains("ends early") }, "\(name): \(errors)")
            let verdicts = ["states_created", "matched", "out_of_window", "no_state", "invalid"]
                .compactMap { TrackRunner.number(summary[$0]) }.reduce(0, +)
            #expect(TrackRunner.number(summary["packets"]) == verdicts, "\(name)")
            // Packets with unreadable headers are invalid and each is named in errors.
            let invalid = TrackRunner.number(summary["invalid"]) ?? 0
            if invalid > 0 { #expect(errors.contains { $0.hasPrefix("packet ") }, "\(name): \(errors)") }

            let text = try TrackRunner.track([path])
            #expect(text.status == 0, "\(name) (text): stderr \(text.stderr)")
        }
    }

    @Test(
        "--sloppy picks up a connection the capture joins mid-way; strict mode counts its packets as no_state",
        .enabled(if: TrackRunner.sharedAvailable, "skipped: ../shared/pcaps is absent"))
    func sloppyMidConnection() throws {
        let name = "edge-tcp/zeek__missing-syn.pcap"
        let path = TrackRunner.sharedRoot + "/" + name
        let strict = try #require(try TrackRunner.objects(try TrackRunner.track(["--json", path]).stdout).first)
        let sloppy = try #require(try TrackRunner.objects(try TrackRunner.track(["--json", "--sloppy", path]).stdout).first)
        let strictTCP = TrackRunner.number((strict["states_by_proto"] as? [String: Any])?["tcp"])
        let sloppyTCP = TrackRunner.number((sloppy["states_by_proto"] as? [String: Any])?["tcp"])
        // MANIFEST.tsv (counted independently): one TCP flow, no handshake in the capture.
        let flows = try #require(try Self.manifest(name, "tcp_flows").flatMap { UInt64($0) })
        let handshakes = try #require(try Self.manifest(name, "tcp_hs").flatMap { UInt64($0) })
        #expect(flows == 1 && handshakes == 0)
        #expect(strictTCP == 0)
        #expect(strict["no_state"] != nil && TrackRunner.number(strict["no_state"]) == TrackRunner.number(strict["packets"]))
        #expect(sloppyTCP == flows)
        #expect(TrackRunner.number(sloppy["no_state"]) == 0)
        #expect(TrackRunner.number(strict["packets"]) == TrackRunner.number(sloppy["packets"]))
    }
}
