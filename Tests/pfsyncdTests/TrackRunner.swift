import Foundation

/// Runs the built `pfsyncd` binary's `track` subcommand as a subprocess.
enum TrackRunner {
    /// What a run printed and returned (the decode runner's record).
    typealias Result = DecodeRunner.Result

    /// The package root (two levels above this file's directory).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The project's fixture capture and its expected counts.
    static let fixture = packageRoot.appendingPathComponent("Tests/Fixtures/captures/netns-mixed.pcap").path
    static let fixtureExpected = packageRoot.appendingPathComponent("Tests/Fixtures/captures/netns-mixed.expected.json")

    /// The shared corpus (never committed).
    static let sharedRoot = SharedPcaps.root
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: sharedRoot + "/MANIFEST.tsv") }

    /// The exact key set of the `--json` summary.
    static let summaryKeys: Set<String> = [
        "packets", "bytes", "states_created", "states_by_proto", "matched", "out_of_window",
        "no_state", "invalid", "expired", "truncated", "errors",
    ]

    /// `pfsyncd`, found as ``DecodeRunner/binary()`` finds it.
    static func binary() -> URL? { DecodeRunner.binary() }

    enum Failure: Error, CustomStringConvertible {
        case binaryNotFound
        case notJSONObject(String)

        var description: String {
            switch self {
            case .binaryNotFound: return "pfsyncd binary not found next to the test bundle; build it or set PFSYNCD_BINARY"
            case let .notJSONObject(line): return "not a JSON object: \(line)"
            }
        }
    }

    /// Runs `pfsyncd track arguments...`.
    static func track(_ arguments: [String]) throws -> Result {
        guard binary() != nil else { throw Failure.binaryNotFound }
        return try DecodeRunner.run(["track"] + arguments)
    }

    /// Each output line parsed as a JSON object by Foundation (independent of pfsyncd's writer).
    static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure.notJSONObject(String(line))
            }
            return object
        }
    }

    /// A JSON number as UInt64 (nil when absent or not a number). Foundation on Linux
    /// bridges 0 and 1 to Bool as well, so booleans are not told apart here; boolean keys
    /// are checked with `as? Bool` and by their text.
    static func number(_ value: Any?) -> UInt64? {
        (value as? NSNumber).map { $0.uint64Value }
    }

    /// The fixture's counts written by Tools/fixtures/make-captures.sh.
    static func expectedCounts() throws -> [String: Any] {
        let data = try Data(contentsOf: fixtureExpected)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// A fresh temporary file path with `suffix`.
    static func temporaryPath(_ suffix: String) -> String {
        NSTemporaryDirectory() + "pfsyncd-track-\(UUID().uuidString)" + suffix
    }
}
