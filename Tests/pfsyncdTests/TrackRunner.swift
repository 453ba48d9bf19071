import Foundation

/// Runs the built `pfsyncd` binary's `track` subcommand as a subprocess.
enum TrackRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

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

    /// `pfsyncd`: `PFSYNCD_BINARY` if set, else in the build products directory next to
    /// the test bundle.
    static func binary() -> URL? {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["PFSYNCD_BINARY"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            candidates.append(URL(fileURLWithPath: argument).deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("pfsyncd"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

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
        guard let binary = binary() else { throw Failure.binaryNotFound }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["track"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
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
