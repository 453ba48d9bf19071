import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `pfsyncd run` with a `[carp]` section inside namespace A of a ``CARPNetns`` (a minimal
/// sync config towards B, where no sync peer runs).
final class CARPPfsyncd {
    let net: CARPNetns
    let advskew: Int
    let password: String
    let preempt: Bool
    /// `[carp]` lines appended to the defaults (bulk_demotion = 0 unless replaced here).
    let bulkConfig: String
    private(set) var process: Process?

    init(
        net: CARPNetns, advskew: Int, password: String = "carp-secret", preempt: Bool = false,
        bulkConfig: String = "bulk_demotion = 0"
    ) {
        self.net = net
        self.advskew = advskew
        self.password = password
        self.preempt = preempt
        self.bulkConfig = bulkConfig
    }

    var socketPath: String { net.path("pfsyncd.sock") }

    /// Writes the config and key, starts the daemon, waits (bounded) for its control socket.
    func start() throws {
        let key = net.path("sync.key")
        if !FileManager.default.fileExists(atPath: key) {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
            guard FileManager.default.createFile(atPath: key, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw HarnessError.setup("cannot write the key") }
        }
        let up = try net.recorderScript("pf-up.sh", tag: "up", events: "pfsyncd-events")
        let down = try net.recorderScript("pf-down.sh", tag: "down", events: "pfsyncd-events")
        let config = """
            node_id = 1
            [sync]
            peer = "\(net.addressB)"
            key_file = "\(key)"
            [control]
            socket = "\(socketPath)"
            [carp]
            vhid = 7
            advbase = 1
            advskew = \(advskew)
            preempt = \(preempt)
            password = "\(password)"
            interface = "ca"
            vip = ["\(net.vip)/24"]
            up_script = "\(up)"
            down_script = "\(down)"
            \(bulkConfig)
            """
        try config.write(toFile: net.path("pfsyncd.toml"), atomically: true, encoding: .utf8)
        guard let binary = DecodeRunner.binary() else { throw HarnessError.setup("pfsyncd binary not found") }
        let child = try net.spawn(
            in: net.nsA, [binary.path, "run", "--config", net.path("pfsyncd.toml"), "--log-level", "info"], log: "pfsyncd.log")
        process = child
        let up2 = DaemonHarness.waitUntil(seconds: 20) { (try? status()) != nil || !child.isRunning }
        guard up2, child.isRunning else { throw HarnessError.daemon("pfsyncd did not start: \(net.read("pfsyncd.log"))") }
    }

    /// `pfsyncd COMMAND --json` parsed.
    func control(_ arguments: [String]) throws -> NSDictionary {
        let result = try DecodeRunner.run(arguments + ["--json", "--socket", socketPath])
        guard result.status == 0 else { throw HarnessError.daemon("\(arguments) failed: \(result.stderr)") }
        guard let object = try DecodeRunner.jsonLines(result.stdout).first else { throw HarnessError.daemon("no output") }
        return object
    }

    func status() throws -> NSDictionary { try control(["status"]) }

    /// The CARP role from `status` ("init", "backup", "master"), nil when it does not answer.
    var role: String? { (try? status()).flatMap { DaemonNode.string($0, "carp.role") } }

    /// A CARP counter from `stats`.
    func counter(_ name: String) -> Int {
        guard let stats = try? control(["stats"]) else { return -1 }
        return DaemonNode.number(stats, "carp.counters.\(name)")
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() -> Int32? {
        guard let process, process.isRunning else { return nil }
        Glibc.kill(process.processIdentifier, SIGTERM)
        guard DaemonHarness.waitUntil(seconds: 20, { !process.isRunning }) else { return nil }
        return process.terminationStatus
    }
}

/// Real UCarp in namespace B; its up/down scripts record "up"/"down" lines in "ucarp-events".
final class UCarpPeer {
    let net: CARPNetns
    private(set) var process: Process?

    init(net: CARPNetns) { self.net = net }

    func start(advskew: Int, password: String = "carp-secret", preempt: Bool = false) throws {
        let up = try net.recorderScript("u-up.sh", tag: "up", events: "ucarp-events")
        let down = try net.recorderScript("u-down.sh", tag: "down", events: "ucarp-events")
        var arguments = [
            "/usr/sbin/ucarp", "-i", "cb", "-s", net.addressB, "-v", "7", "-p", password, "-a", net.vip, "-b", "1",
            "-k", "\(advskew)", "-u", up, "-d", down, "-z",
        ]
        if preempt { arguments.append("-P") }
        process = try net.spawn(in: net.nsB, arguments, log: "ucarp.log")
    }

    /// The last event its scripts recorded ("up" or "down"), nil before any.
    var lastEvent: String? {
        net.read("ucarp-events").split(separator: "\n").last.map { String($0.split(separator: " ").first ?? "") }
    }

    /// True when UCarp logged that it is master and has not logged backup since.
    var isMaster: Bool {
        let lines = net.read("ucarp.log").split(separator: "\n").filter { $0.contains("Switching to state") }
        return lines.last?.contains("MASTER") ?? false
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
