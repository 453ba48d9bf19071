import Foundation
import Testing
@testable import PFSyncConfig

/// The keys added for the running daemon: `[testing]` faults, `capture.rate`, `sync.peer_port`.
@Suite struct DaemonConfigTestingKeysTests {
    static let minimal = DaemonConfigTests.minimal

    @Test func defaultsInjectNoFaultsAndReplayAsFastAsPossible() throws {
        let config = try DaemonConfig.parse(Self.minimal)
        #expect(config.testing == TestingConfig())
        #expect(!config.testing.injectsFaults)
        #expect(config.capture.rate == 0)
        #expect(config.sync.peerPort == nil)
    }

    @Test func readsFaultsRateAndPeerPort() throws {
        let config = try DaemonConfig.parse(Self.minimal + """

            peer_port = 9241
            [capture]
            files = ["a.pcap"]
            rate = 1.5
            [testing]
            drop_percent = 10
            duplicate_percent = 2.5
            reorder_percent = 3
            seed = 42
            """)
        #expect(config.sync.peerPort == 9241)
        #expect(config.capture.rate == 1.5)
        #expect(config.testing.dropPercent == 10)
        #expect(config.testing.duplicatePercent == 2.5)
        #expect(config.testing.reorderPercent == 3)
        #expect(config.testing.seed == 42)
        #expect(config.testing.injectsFaults)
    }

    @Test(arguments: [
        (minimal + "\n[testing]\ndrop_percent = 101", "testing.drop_percent", "between 0.0 and 100.0"),
        (minimal + "\n[testing]\nreorder_percent = -1", "testing.reorder_percent", "between"),
        (minimal + "\n[testing]\nseed = \"x\"", "testing.seed", "must be an integer"),
        (minimal + "\n[testing]\ndrop = 5", "testing.drop", "unknown key"),
        (minimal + "\n[capture]\nrate = \"fast\"", "capture.rate", "must be a number"),
        (minimal + "\npeer_port = 0", "sync.peer_port", "between 1 and 65535"),
    ])
    func refusesBadValuesNamingTheKey(text: String, key: String, fragment: String) {
        #expect {
            _ = try DaemonConfig.parse(text)
        } throws: { error in
            guard let config = error as? ConfigError else { return false }
            return config.key == key && config.description.contains(fragment)
        }
    }
}

/// The committed example configuration is valid.
@Suite struct ExampleConfigTests {
    @Test func exampleConfigParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pfsyncd.example.toml")
        let text = try String(contentsOf: path, encoding: .utf8)
        let config = try DaemonConfig.parse(text)
        #expect(config.nodeID == 1)
        #expect(config.sync.peer == "192.0.2.2")
        #expect(config.capture.interfaces == ["eth0"])
        #expect(config.controlSocket == "/run/pfsyncd.sock")
    }
}
