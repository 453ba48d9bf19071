import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `pfsyncd run` in plain pfsync mode inside a network namespace (`ip netns exec`, which
/// execs the daemon, so the child's pid is the daemon's). Its control socket lives in the
/// test directory, reachable from the test's own namespace.
final class PlainNamespaceNode {
    let name: String
    let namespace: String
    let configPath: String
    let socketPath: String
    let logPath: String
    let configText: String
    private(set) var process: Process?

    /// `mode`: the sync mode ("pfsync", or "pfsyncd" with its key in `syncConfig`);
    /// `syncConfig`: more lines for the `[sync]` section; `extraConfig`: more sections.
    init(
        name: String, namespace: String, nodeID: UInt32, interface: String, directory: URL, mode: String = "pfsync",
        syncConfig: String = "", extraConfig: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        configPath = directory.appendingPathComponent("\(name).toml").path
        socketPath = directory.appendingPathComponent("\(name).sock").path
        logPath = directory.appendingPathComponent("\(name).log").path
        configText = """
            node_id = \(nodeID)
            [sync]
            mode = "\(mode)"
            interface = "\(interface)"
            flush_interval_ms = 2
            \(syncConfig)
            [control]
            socket = "\(socketPath)"
            \(extraConfig)
            """
    }

    /// Writes the config, starts the daemon in its namespace and waits (bounded) for its
    /// control socket.
    func start() throws {
        try configText.write(toFile: configPath, atomically: true, encoding: .utf8)
        guard let binary = DecodeRunner.binary() else { throw HarnessError.setup("pfsyncd binary not found") }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")
        child.arguments = ["netns", "exec", namespace, binary.path, "run", "--config", configPath, "--log-level", "warning"]
        child.standardOutput = log
        child.standardError = log
        try child.run()
        process = child
        let up = DaemonHarness.waitUntil(seconds: 20) { (try? status()) != nil || !child.isRunning }
        guard up, child.isRunning else { throw HarnessError.daemon("\(name) did not start: \(self.log)") }
    }

    /// SIGKILL and wait.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var isRunning: Bool { process?.isRunning ?? false }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

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

    /// `states --json` keyed by "id/creatorid".
    func states() throws -> [String: NSDictionary] {
        let result = try DecodeRunner.run(["states", "--json", "--socket", socketPath])
        guard result.status == 0 else { throw HarnessError.daemon("states failed: \(result.stderr)") }
        var table: [String: NSDictionary] = [:]
        for state in try DecodeRunner.jsonLines(result.stdout) {
            table["\(state["id"] as? String ?? "?")/\(state["creatorid"] as? String ?? "?")"] = state
        }
        return table
    }
}

/// Compares two tables on what plain pfsync carries: INS brings the whole state, UPD_C
/// the peers, timeout and expiry, not the packet and byte counters (those stay as the INS
/// left them), so counters and times are not compared.
enum PlainTableComparison {
    static let fields = ["id", "creatorid", "af", "proto", "direction", "key", "src", "dst", "timeout"]

    static func difference(_ a: [String: NSDictionary], _ b: [String: NSDictionary]) -> String? {
        let onlyA = Set(a.keys).subtracting(b.keys)
        let onlyB = Set(b.keys).subtracting(a.keys)
        var differing: [String] = []
        for (id, state) in a {
            guard let other = b[id] else { continue }
            for field in fields where !((state[field] as? NSObject)?.isEqual(other[field]) ?? (other[field] == nil)) {
                differing.append("\(id).\(field)")
                break
            }
        }
        if onlyA.isEmpty && onlyB.isEmpty && differing.isEmpty { return nil }
        return "\(a.count) vs \(b.count) states; only in first: \(onlyA.count) \(onlyA.prefix(3)), "
            + "only in second: \(onlyB.count) \(onlyB.prefix(3)), differing: \(differing.count) \(differing.prefix(3))"
    }
}
