import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The run command's refusal of bad configurations and the control commands without a daemon.
@Suite struct DaemonCommandLineTests {
    @Test(arguments: [
        ("maxupd = 300", "", "sync.maxupd"),
        ("maxupdate = 3", "", "sync.maxupdate"),
        ("", "[testing]\ndrop_percent = 120", "testing.drop_percent"),
        ("peer = \"peer.example\"", "", "sync.peer"),
    ])
    func badConfigIsRefusedNamingTheKey(syncLine: String, section: String, key: String) throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try harness.makeNode(name: "bad", nodeID: 1, extraConfig: section)
        node.peerPort = 9
        var text = node.configText
        if !syncLine.isEmpty {
            if syncLine.hasPrefix("peer =") {
                text = text.replacingOccurrences(of: "peer = \"127.0.0.1\"", with: syncLine)
            } else {
                text = text.replacingOccurrences(of: "[sync]\n", with: "[sync]\n\(syncLine)\n")
            }
        }
        try text.write(toFile: node.configPath, atomically: true, encoding: .utf8)
        let result = try DecodeRunner.run(["run", "--config", node.configPath])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(key), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: node.socketPath))
    }

    @Test func missingKeyFileIsRefusedBeforeStarting() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try harness.makeNode(name: "nokey", nodeID: 1)
        node.peerPort = 9
        let text = node.configText.replacingOccurrences(of: harness.keyPath, with: harness.keyPath + ".missing")
        try text.write(toFile: node.configPath, atomically: true, encoding: .utf8)
        let result = try DecodeRunner.run(["run", "--config", node.configPath])
        #expect(result.status == 2)
        #expect(result.stderr.contains("sync.key_file"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: node.socketPath))
    }

    @Test(arguments: ["stats", "status", "states", "promote"])
    func noDaemonGivesOneClearLine(command: String) throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let missing = harness.directory.appendingPathComponent("none.sock").path
        let result = try DecodeRunner.run([command, "--socket", missing])
        #expect(result.status == 1)
        #expect(result.stderr == "pfsyncd: no daemon at \(missing) (no such file or directory)\n")

        // A stale socket file nobody listens on: connection refused.
        let stale = harness.directory.appendingPathComponent("stale.sock").path
        try makeStaleSocket(at: stale)
        let refused = try DecodeRunner.run([command, "--json", "--socket", stale])
        #expect(refused.status == 1)
        #expect(refused.stderr == "pfsyncd: no daemon at \(stale) (connection refused)\n")
        #expect(refused.stdout.isEmpty)
    }

    private func makeStaleSocket(at path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw HarnessError.setup("bind \(path) failed") }
    }
}

/// `pfsyncd run --check`: the configuration and the machine checked, nothing started.
@Suite struct ConfigCheckCommandTests {
    /// A node whose configuration (peer port 9, then `edit`) is written, not started.
    private func writtenNode(
        _ harness: DaemonHarness, name: String, nodeID: UInt32 = 1, extraConfig: String = "",
        edit: (DaemonNode, String) -> String = { _, text in text }
    ) throws -> DaemonNode {
        let node = try harness.makeNode(name: name, nodeID: nodeID, extraConfig: extraConfig)
        node.peerPort = 9
        try edit(node, node.configText).write(toFile: node.configPath, atomically: true, encoding: .utf8)
        return node
    }

    @Test func goodConfigIsSummarisedAndNothingStarts() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try writtenNode(harness, name: "good", nodeID: 0x2a)
        let result = try DecodeRunner.run(["run", "--config", node.configPath, "--check"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("pfsyncd: \(node.configPath): configuration accepted\n"))
        #expect(result.stdout.contains("node id   42 (creatorid 0x0000002a)"), "stdout: \(result.stdout)")
        #expect(
            result.stdout.contains("sync      127.0.0.1:\(node.port) -> peer 127.0.0.1:9"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains(", LZ4, GSO off\n"), "stdout: \(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: node.socketPath))
    }

    @Test func problemsOnThisMachineAreListedWithTheirKeys() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let missingFile = harness.directory.appendingPathComponent("missing.pcap").path
        let node = try writtenNode(
            harness, name: "problems",
            extraConfig: "[capture]\ninterfaces = [\"pfsx-none0\", \"lo\"]\nfiles = [\"\(missingFile)\"]"
        ) { node, text in
            text.replacingOccurrences(of: "listen = \"127.0.0.1\"", with: "listen = \"192.0.2.77\"")
                .replacingOccurrences(of: node.socketPath, with: "/nonexistent-pfsyncd-dir/control.sock")
        }
        let result = try DecodeRunner.run(["run", "--config", node.configPath, "--check"])
        #expect(result.status == 1)
        let problems = result.stderr.split(separator: "\n").map(String.init)
        #expect(problems.count == 4, "stderr: \(result.stderr)")
        #expect(problems.allSatisfy { $0.hasPrefix("pfsyncd: problem: ") })
        for key in [
            "capture.interfaces: no interface \"pfsx-none0\"", "capture.files: cannot read", "sync.listen: 192.0.2.77",
            "control.socket: cannot create",
        ] {
            #expect(problems.contains { $0.contains(key) }, "no \(key) in: \(result.stderr)")
        }
    }

    @Test func plainPFSyncWithOpenBSDsVersionIsSummarisedAsSuch() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let path = harness.directory.appendingPathComponent("openbsd.toml").path
        let socket = harness.directory.appendingPathComponent("openbsd.sock").path
        try """
            node_id = 3
            [sync]
            mode = "pfsync"
            interface = "lo"
            peer = "127.0.0.1"
            pfsync_version = 6
            [control]
            socket = "\(socket)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try DecodeRunner.run(["run", "--config", path, "--check"])
        #expect(result.status != 2, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("mode      pfsync: raw IP protocol 240, version 6 (OpenBSD), no key"), "\(result.stdout)")
    }

    @Test func aNodeSendingToItselfIsAProblem() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try writtenNode(harness, name: "self") { node, text in
            text.replacingOccurrences(of: "peer_port = 9\n", with: "peer_port = \(node.port)\n")
        }
        let result = try DecodeRunner.run(["run", "--config", node.configPath, "--check"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("pfsyncd: problem: sync.peer: is this node's own address and port"),
            "stderr: \(result.stderr)")
    }

    @Test func refusedConfigExitsTwoWithTheSameMessageAsRun() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try writtenNode(harness, name: "nokey") { _, text in
            text.replacingOccurrences(of: harness.keyPath, with: harness.keyPath + ".missing")
        }
        let result = try DecodeRunner.run(["run", "--config", node.configPath, "--check"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("sync.key_file"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("No such file or directory"), "stderr: \(result.stderr)")
    }

    @Test func unknownLogLevelIsRefused() throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = try writtenNode(harness, name: "level")
        let result = try DecodeRunner.run(["run", "--config", node.configPath, "--log-level", "loud"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--log-level: unknown level \"loud\""), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: node.socketPath))
    }
}
