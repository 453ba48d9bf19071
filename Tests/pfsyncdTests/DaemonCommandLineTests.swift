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
