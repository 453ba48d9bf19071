import Testing
@testable import PFSyncConfig

@Suite struct FeedConfigTests {
    static let minimal = """
        node_id = 1
        [sync]
        peer = "127.0.0.1"
        key_file = "/etc/pfsyncd/key"
        """

    @Test func feedSocketIsOptionalAndRead() throws {
        #expect(try DaemonConfig.parse(Self.minimal).capture.feed == nil)
        let config = try DaemonConfig.parse(Self.minimal + "\n[capture]\nfeed = \"/run/pfsyncd/feed.sock\"")
        #expect(config.capture.feed == "/run/pfsyncd/feed.sock")
    }

    @Test(arguments: [
        "\n[capture]\nfeed = \"\"",
        "\n[capture]\nfeed = \"/" + String(repeating: "x", count: 120) + "\"",
        "\n[capture]\nfeed = 3",
    ])
    func badFeedPathsAreRefusedNamingTheKey(suffix: String) {
        #expect {
            _ = try DaemonConfig.parse(Self.minimal + suffix)
        } throws: { error in
            (error as? ConfigError)?.key == "capture.feed"
        }
    }
}
