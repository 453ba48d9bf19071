import Foundation

/// Runs the built `pfsyncd` binary as a subprocess.
enum DecodeRunner {
    /// What a run produced.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root (three levels above this file).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The fixtures written by Tools/vectors/make_pfsync_pcap.py.
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/pfsync")

    /// The `pfsyncd` executable in the build products directory: `PFSYNCD_BINARY` if set,
    /// else next to the test bundle.
    static func binary() -> URL? {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["PFSYNCD_BINARY"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            let bundle = URL(fileURLWithPath: argument)
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("pfsyncd"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("pfsyncd"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `pfsyncd arguments...` and collects its output.
    static func run(_ arguments: [String]) throws -> Result {
        guard let binary = binary() else {
            throw RunnerError.binaryNotFound(searched: CommandLine.arguments)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
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

    /// JSON lines parsed into dictionaries (Foundation's parser, independent of ours).
    static func jsonLines(_ text: String) throws -> [NSDictionary] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let dictionary = object as? NSDictionary else { throw RunnerError.notAnObject(String(line)) }
            return dictionary
        }
    }

    /// The keys of a JSON object line in the order they appear in the text.
    static func keyOrder(_ line: Substring) -> [String] {
        // Top-level keys only: track nesting depth and strings.
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current = ""
        var stringStartDepth = 0
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if inString {
                if escaped { escaped = false; current.append(character) }
                else if character == "\\" { escaped = true }
                else if character == "\"" {
                    inString = false
                    let next = index + 1 < characters.count ? characters[index + 1] : " "
                    if stringStartDepth == 1 && next == ":" { keys.append(current) }
                } else { current.append(character) }
            } else {
                switch character {
                case "\"": inString = true; current = ""; stringStartDepth = depth
                case "{", "[": depth += 1
                case "}", "]": depth -= 1
                default: break
                }
            }
            index += 1
        }
        return keys
    }

    enum RunnerError: Error, CustomStringConvertible {
        case binaryNotFound(searched: [String])
        case notAnObject(String)

        var description: String {
            switch self {
            case let .binaryNotFound(arguments):
                return "pfsyncd binary not found next to the test bundle (arguments \(arguments)); build it or set PFSYNCD_BINARY"
            case let .notAnObject(line):
                return "not a JSON object: \(line)"
            }
        }
    }
}
