import Testing
@testable import PFSyncConfig

@Suite struct TOMLParserTests {
    @Test func parsesTablesScalarsAndArrays() throws {
        let entries = try TOMLParser.parse("""
            # comment
            node_id = 0x0a_00_00_01
            [sync]
            peer = "192.0.2.2"   # trailing comment
            flush_interval_ms = 2.5
            defer = true
            [capture]
            interfaces = [
              "lan0",  # LAN
              'wan0',
            ]
            """)
        let map = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
        #expect(map["node_id"] == .integer(0x0A00_0001))
        #expect(map["sync.peer"] == .string("192.0.2.2"))
        #expect(map["sync.flush_interval_ms"] == .float(2.5))
        #expect(map["sync.defer"] == .boolean(true))
        #expect(map["capture.interfaces"] == .array([.string("lan0"), .string("wan0")]))
        #expect(entries.first { $0.key == "sync.peer" }?.line == 4)
    }

    @Test(arguments: [
        ("a = ", 1, "missing value"),
        ("a = \"open", 1, "unterminated string"),
        ("a = 1\na = 2", 2, "already set on line 1"),
        ("[t]\n[t]", 2, "defined twice"),
        ("a = { b = 1 }", 1, "inline tables"),
        ("a = yes", 1, "not a valid value"),
        ("a = 1 2", 1, "unexpected text"),
        ("a = 99999999999999999999", 1, "out of range"),
        ("[[x]]", 1, "arrays of tables"),
    ])
    func refusesBadSyntaxWithLine(text: String, line: Int, fragment: String) {
        #expect {
            _ = try TOMLParser.parse(text)
        } throws: { error in
            guard let syntax = error as? TOMLSyntaxError else { return false }
            return syntax.line == line && syntax.message.contains(fragment)
        }
    }
}

@Suite struct DaemonConfigTests {
    static let minimal = """
        node_id = 1
        [sync]
        peer = "127.0.0.1"
        key_file = "/etc/pfsyncd/key"
        """

    @Test func minimalConfigGetsDefaults() throws {
        let config = try DaemonConfig.parse(Self.minimal)
        #expect(config.nodeID == 1)
        #expect(config.sync.mode == .pfsyncd)
        #expect(config.sync.maxUpdates == 128)
        #expect(config.sync.mtu == 1500)
        #expect(config.sync.ackDelayMilliseconds == 10)
        #expect(!config.sync.segmentationOffload)
        #expect(config.sync.port == 8240)
        #expect(config.carp == nil)
    }

    @Test func readsEverySection() throws {
        let config = try DaemonConfig.parse(Self.minimal + """

            maxupd = 64
            defer = true
            delta_updates = false
            mtu = 9000
            ack_delay_ms = 0
            gso = true
            gro = false
            [capture]
            files = "trace.pcap"
            sloppy = true
            [table]
            shards = 16
            reserve_states = 250000
            [control]
            socket = "/tmp/p.sock"
            metrics_listen = "[::1]:9240"
            [carp]
            vhid = 7
            advskew = 100
            password = "secret"
            preempt = true
            vip = ["192.0.2.10/24"]
            [timeouts]
            "tcp.established" = 3600
            """)
        #expect(config.sync.maxUpdates == 64)
        #expect(config.sync.deferral)
        #expect(!config.sync.deltaUpdates)
        #expect(config.sync.ackDelayMilliseconds == 0)
        #expect(config.sync.segmentationOffload)
        #expect(!config.sync.receiveOffload)
        #expect(config.capture.files == ["trace.pcap"])
        #expect(config.shards == 16)
        #expect(config.reserveStates == 250_000)
        #expect(config.metricsListen == "[::1]:9240")
        #expect(config.carp?.vhid == 7 && config.carp?.advskew == 100 && config.carp?.preempt == true)
        #expect(config.timeouts["tcp.established"] == 3600)
    }

    @Test(arguments: [
        ("node_id = 1\n[sync]\npeer = \"1.2.3.4\"", "sync.key_file", "required"),
        ("[sync]\npeer = \"1.2.3.4\"\nkey_file = \"k\"", "node_id", "required"),
        (minimal + "\nmaxupd = 300", "sync.maxupd", "between 1 and 255"),
        (minimal + "\nmaxupdate = 3", "sync.maxupdate", "did you mean 'sync.maxupd'"),
        (minimal + "\nmtu = \"big\"", "sync.mtu", "must be an integer"),
        (minimal + "\ngroup = \"224.0.0.240\"", "sync.group", "not both"),
        ("node_id = 1\n[sync]\npeer = \"host.example\"\nkey_file = \"k\"", "sync.peer", "not an IPv4 or IPv6"),
        (minimal + "\n[table]\nshards = 12", "table.shards", "power of two"),
        (minimal + "\nack_delay_ms = 250", "sync.ack_delay_ms", "between"),
        (minimal + "\npfsync_version = 6", "sync.pfsync_version", "mode = \"pfsync\" only"),
        ("node_id = 2\n[sync]\nmode = \"pfsync\"\ninterface = \"s\"\npfsync_version = 4", "sync.pfsync_version", "between 5 and 6"),
        ("node_id = 2\n[sync]\nmode = \"pfsync\"\ninterface = \"s\"\npfsync_version = 6\nstate_format = 1400",
         "sync.state_format", "one state format"),
        (minimal + "\n[table]\nreserve_states = -5", "table.reserve_states", "between"),
        (minimal + "\n[carp]\npassword = \"this-password-is-too-long\"", "carp.password", "19 bytes"),
        (minimal + "\n[control]\nmetrics_listen = \"localhost\"", "control.metrics_listen", "ADDRESS:PORT"),
    ])
    func refusesBadConfigNamingTheKey(text: String, key: String, fragment: String) {
        #expect {
            _ = try DaemonConfig.parse(text)
        } throws: { error in
            guard let config = error as? ConfigError else { return false }
            return config.key == key && config.description.contains(fragment)
        }
    }

    @Test func pfsyncModeDefaultsToMulticastOnTheSyncInterface() throws {
        let config = try DaemonConfig.parse("node_id = 2\n[sync]\nmode = \"pfsync\"\ninterface = \"sync0\"")
        #expect(config.sync.mode == .pfsync)
        #expect(config.sync.keyFile == nil)
        #expect(config.sync.pfsyncVersion == 5)
        let openBSD = try DaemonConfig.parse(
            "node_id = 2\n[sync]\nmode = \"pfsync\"\ninterface = \"sync0\"\npfsync_version = 6")
        #expect(openBSD.sync.pfsyncVersion == 6)
    }
}
