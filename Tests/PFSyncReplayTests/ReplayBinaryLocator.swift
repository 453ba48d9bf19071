import Foundation

/// Finds the built `pfsync-replay` and `pfsyncd` binaries in the build products directory
/// (beside the test bundle), and runs the tool.
enum ReplayBinaryLocator {
    /// The package root: `PFSYNCD_PACKAGE_ROOT` if set, else two levels above this file's directory.
    static let packageRoot: URL = {
        if let root = ProcessInfo.processInfo.environment["PFSYNCD_PACKAGE_ROOT"] { return URL(fileURLWithPath: root) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The project's captures.
    static func capture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures/captures/\(name)").path
    }

    /// The directory of the products of this build.
    /// `PFSYNC_REPLAY_PRODUCTS` if set, else the directory of the test bundle.
    static var productsDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["PFSYNC_REPLAY_PRODUCTS"] {
            return URL(fileURLWithPath: directory)
        }
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            return URL(fileURLWithPath: argument).deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }

    /// A built executable by name, if present.
    static func binary(_ name: String) -> URL? {
        let candidates = [
            productsDirectory.appendingPathComponent(name),
            Bundle.main.bundleURL.appendingPathComponent(name),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// What one run printed.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// stdout as one JSON object (Foundation's parser, independent of the tool's writer).
        func json() throws -> NSDictionary {
            let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            guard let dictionary = object as? NSDictionary else { throw LocatorError.notAnObject(stdout) }
            return dictionary
        }
    }

    /// Runs `pfsync-replay arguments...` (with `--pfsyncd` pointing at the built daemon).
    static func replay(_ arguments: [String]) throws -> Run {
        guard let tool = binary("pfsync-replay") else { throw LocatorError.missing("pfsync-replay", productsDirectory.path) }
        guard let daemon = binary("pfsyncd") else { throw LocatorError.missing("pfsyncd", productsDirectory.path) }
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments + ["--pfsyncd", daemon.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

enum LocatorError: Error, CustomStringConvertible {
    case missing(String, String)
    case notAnObject(String)

    var description: String {
        switch self {
        case let .missing(name, directory): return "\(name) is not built in \(directory)"
        case let .notAnObject(text): return "not a JSON object: \(text.prefix(200))"
        }
    }
}
