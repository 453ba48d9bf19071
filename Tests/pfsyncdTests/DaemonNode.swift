import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One `pfsyncd run` child process and its control socket.
final class DaemonNode {
    let name: String
    let nodeID: UInt32
    let port: UInt16
    var peerPort: UInt16 = 0
    let configPath: String
    let socketPath: String
    let logPath: String
    let keyPath: String
    var extraConfig: String
    /// The sync link's address: both daemons listen on it and send to it (loopback).
    var address = "127.0.0.1"
    /// More `[sync]` keys.
    var syncConfig = ""
    /// `--log-level` (notice: the sync link's events, not every start-up line).
    var logLevel = "notice"
    private(set) var process: Process?

    init(name: String, nodeID: UInt32, directory: URL, keyPath: String, port: UInt16, extraConfig: String) {
        self.name = name
        self.nodeID = nodeID
        self.port = port
        self.keyPath = keyPath
        self.extraConfig = extraConfig
        configPath = directory.appendingPathComponent("\(name).toml").path
        socketPath = directory.appendingPathComponent("\(name).sock").path
        logPath = directory.appendingPathComponent("\(name).log").path
    }

    /// The configuration file's text.
    var configText: String {
        """
        node_id = \(nodeID)
        [sync]
        peer = "\(address)"
        listen = "\(address)"
        port = \(port)
        peer_port = \(peerPort)
        key_file = "\(keyPath)"
        flush_interval_ms = 2
        keepalive_ms = 100
        \(syncConfig)
        [control]
        socket = "\(socketPath)"
        \(extraConfig)
        """
    }

    /// Writes the config and starts the daemon; waits (bounded) until its control socket answers.
    func start() throws {
        try configText.write(toFile: configPath, atomically: true, encoding: .utf8)
        guard let binary = DecodeRunner.binary() else { throw HarnessError.setup("pfsyncd binary not found") }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let child = Process()
        child.executableURL = binary
        child.arguments = ["run", "--config", configPath, "--log-level", logLevel]
        child.standardOutput = log
        child.standardError = log
        try child.run()
        process = child
        let up = DaemonHarness.waitUntil(seconds: 20) { (try? status()) != nil || !child.isRunning }
        guard up, child.isRunning else {
            throw HarnessError.daemon("\(name) did not start: \(self.log)")
        }
    }

    /// SIGKILL (no cleanup, as a crash).
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and a bounded wait; returns the exit status, or nil if it had to be killed.
    func terminate(seconds: Double = 10) -> Int32? {
        guard let process, process.isRunning else { return self.process?.terminationStatus }
        Glibc.kill(process.processIdentifier, SIGTERM)
        let exited = DaemonHarness.waitUntil(seconds: seconds) { !process.isRunning }
        guard exited else {
            kill()
            return nil
        }
        return process.terminationStatus
    }

    /// True while the child runs.
    var isRunning: Bool { process?.isRunning ?? false }

    /// The daemon's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `pfsyncd COMMAND --json --socket ...` parsed.
    func control(_ command: String) throws -> NSDictionary {
        let result = try DecodeRunner.run([command, "--json", "--socket", socketPath])
        guard result.status == 0 else { throw HarnessError.daemon("\(command) failed: \(result.stderr)") }
        guard let object = try DecodeRunner.jsonLines(result.stdout).first else {
            throw HarnessError.daemon("\(command) printed nothing")
        }
        return object
    }

    func status() throws -> NSDictionary { try control("status") }
    func stats() throws -> NSDictionary { try control("stats") }

    /// `states --json`: one object per state, keyed by "id/creatorid".
    func states() throws -> [String: NSDictionary] {
        let result = try DecodeRunner.run(["states", "--json", "--socket", socketPath])
        guard result.status == 0 else { throw HarnessError.daemon("states failed: \(result.stderr)") }
        var table: [String: NSDictionary] = [:]
        for state in try DecodeRunner.jsonLines(result.stdout) {
            let id = state["id"] as? String ?? "?"
            let creator = state["creatorid"] as? String ?? "?"
            table["\(id)/\(creator)"] = state
        }
        return table
    }

    /// A number at a dotted path of a JSON object ("reliability.retransmitted").
    static func number(_ object: NSDictionary, _ path: String) -> Int {
        var current: Any? = object
        for part in path.split(separator: ".") {
            current = (current as? NSDictionary)?[String(part)]
        }
        return (current as? NSNumber)?.intValue ?? 0
    }

    /// A string at a dotted path.
    static func string(_ object: NSDictionary, _ path: String) -> String? {
        var current: Any? = object
        for part in path.split(separator: ".") {
            current = (current as? NSDictionary)?[String(part)]
        }
        return current as? String
    }
}
