#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the two nodes talk on the SYNC link.
public enum SyncMode: String, Sendable, Hashable {
    /// pfsyncd's own frame over UDP: compressed, sequenced, authenticated (PROTOCOL.md).
    case pfsyncd
    /// Plain pfsync on raw IP protocol 240 (FreeBSD v5), for compatibility. Needs root.
    case pfsync
}

/// The `[sync]` section.
public struct SyncConfig: Sendable, Hashable {
    public var mode: SyncMode = .pfsyncd
    /// syncdev: the interface of the SYNC link (used for multicast and the badif check).
    public var interface: String?
    /// syncpeer: a unicast peer address. Either this or ``group``.
    public var peer: String?
    /// A multicast group (224.0.0.240 / ff12::f0 for plain pfsync).
    public var group: String?
    /// UDP port (pfsyncd mode).
    public var port: UInt16 = 8240
    /// The peer's UDP port (default: ``port``; differs only when two nodes share an address).
    public var peerPort: UInt16?
    /// Local address to bind (default: any, of the peer's family).
    public var listen: String?
    /// Pre-shared key file (required in pfsyncd mode).
    public var keyFile: String?
    /// pfsync's maxupd: coalesced changes after which a state's update goes out at once.
    public var maxUpdates: Int = 128
    /// pfsync's defer: hold the first packet of a new state until the peer acknowledges it.
    public var deferral: Bool = false
    /// Offer and send delta updates (UPD_D) to a pfsyncd peer (`sync.delta_updates`).
    public var deltaUpdates: Bool = true
    /// Upper bound on how long a change waits before it is sent, milliseconds.
    public var flushIntervalMilliseconds: Double = 2
    /// MTU of the SYNC link.
    public var mtu: Int = 1500
    /// Plain-pfsync state format (1301, 1400 or 1500).
    public var stateFormat: Int = 1400
    /// Plain-pfsync packet version: 5 (FreeBSD, with ``stateFormat``) or 6 (OpenBSD, its
    /// own 264-byte state).
    public var pfsyncVersion: Int = 5
    /// Frames kept for retransmission.
    public var resendFrames: Int = 8192
    /// Keepalive interval, milliseconds.
    public var keepaliveMilliseconds: Double = 250
    /// Longest an ACK is held back to acknowledge several frames at once (pfsyncd mode, to
    /// a peer that takes delayed ACKs), milliseconds; 0 acknowledges every burst at once.
    public var ackDelayMilliseconds: Double = 10
    /// Bursts of frames go as UDP GSO writes of frames padded to one size (pfsyncd mode, to
    /// a peer that takes padded frames): less CPU per frame for a few percent more bytes on
    /// the wire. Off by default: the kernel refuses a GSO write on a path without checksum
    /// offload (IPsec) or whose MTU is below `mtu`, and SwiftNIO then closes the socket.
    public var segmentationOffload = false
    /// The sync socket takes UDP GRO reads (Linux `UDP_GRO`, where the kernel has it): a
    /// burst of datagrams from the peer, such as one GSO write over loopback or several
    /// same-size datagrams a NIC coalesced, is read as one buffer and split back into its
    /// datagrams, instead of being segmented in the kernel and read one by one. On by
    /// default: it only changes how this node reads.
    public var receiveOffload = true

    /// The defaults.
    public init() {}
}

/// The `[capture]` section: what the tracker watches.
public struct CaptureConfig: Sendable, Hashable {
    /// Live interfaces.
    public var interfaces: [String] = []
    /// Capture files (for tests and the load-test tool).
    public var files: [String] = []
    /// BPF filter applied to live captures.
    public var filter: String?
    /// Snapshot length.
    public var snaplen: Int = 262_144
    /// pf's sloppy state tracking.
    public var sloppy: Bool = false
    /// A feed socket (Unix stream, mode 0600) through which a client such as `pfsync-replay`
    /// streams frames into a tracker (PROTOCOL.md, "Feed socket").
    public var feed: String?
    /// Replay pace of capture files: 0 (the default) as fast as possible, otherwise a
    /// multiple of the capture's own speed (1 = as captured, 2 = twice as fast).
    public var rate: Double = 0
}

/// The `[testing]` section: faults the sync transport injects into OUTGOING datagrams, so
/// tests can show convergence under loss. Never set in production.
public struct TestingConfig: Sendable, Hashable {
    /// Percentage of datagrams not sent.
    public var dropPercent: Double = 0
    /// Percentage of datagrams sent twice.
    public var duplicatePercent: Double = 0
    /// Percentage of datagrams held back and sent after the next one.
    public var reorderPercent: Double = 0
    /// Seed of the fault generator (the same seed gives the same faults).
    public var seed: UInt64 = 1
    /// Synthetic load (benchmarks): TCP states a writer thread inserts (0: no writer).
    public var syntheticStates: Int = 0
    /// Synthetic load: random updates applied after the inserts.
    public var syntheticUpdates: UInt64 = 0
    /// Synthetic load: updates per second (0: as fast as possible).
    public var syntheticRate: Double = 0
    /// Synthetic load: whether the inserts are replicated as INS (false: bulk only).
    public var syntheticReplicateInserts: Bool = true

    /// No faults.
    public init() {}

    /// True when any fault is enabled.
    public var injectsFaults: Bool { dropPercent > 0 || duplicatePercent > 0 || reorderPercent > 0 }
}

/// The `[carp]` section (used by the CARP election).
public struct CARPConfig: Sendable, Hashable {
    public var vhid: Int = 1
    public var advbase: Int = 1
    public var advskew: Int = 0
    public var password: String = ""
    public var preempt: Bool = false
    public var interface: String?
    public var virtualAddresses: [String] = []
    /// More virtual hosts: "vhid=2 interface=wan0 vip=192.0.2.100/24 [advskew=N ...]" each.
    public var virtualHosts: [String] = []
    /// A unicast peer instead of multicast 224.0.0.18.
    public var peer: String?
    /// Scripts run with `<if> <vip>` on becoming / leaving master (UCarp's -u / -d).
    public var upScript: String?
    public var downScript: String?
    /// Demotion while the bulk update is unfinished (0 disables), and its time limit.
    public var bulkDemotion: Int = 240
    public var bulkDemotionLimitSeconds: Double = 60
}

/// The whole configuration of `pfsyncd run`.
public struct DaemonConfig: Sendable, Hashable {
    /// This node's creatorid.
    public var nodeID: UInt32 = 0
    /// Sync link.
    public var sync = SyncConfig()
    /// Tracked traffic.
    public var capture = CaptureConfig()
    /// Table shard count (nil: derived from the core count).
    public var shards: Int?
    /// States the table reserves room for at start-up, with the memory touched then
    /// (`[table] reserve_states`; 0: grow on demand). A backup sized this way takes a bulk
    /// update of that many states without growing or faulting in pages meanwhile.
    public var reserveStates: Int = 0
    /// Control socket path.
    public var controlSocket: String = "/run/pfsyncd.sock"
    /// Optional Prometheus listen address ("127.0.0.1:9240").
    public var metricsListen: String?
    /// CARP settings, when a `[carp]` section is present.
    public var carp: CARPConfig?
    /// Timeout overrides by pf name ("tcp.established" -> seconds).
    public var timeouts: [String: UInt32] = [:]
    /// Transport faults for tests.
    public var testing = TestingConfig()

    /// Creates the defaults.
    public init() {}

    /// The pf timeout names accepted under `[timeouts]`.
    public static let timeoutNames = [
        "tcp.first", "tcp.opening", "tcp.established", "tcp.closing", "tcp.finwait", "tcp.closed",
        "udp.first", "udp.single", "udp.multiple", "icmp.first", "icmp.error",
        "other.first", "other.single", "other.multiple",
    ]

    /// Parses and validates a configuration file's text. Throws the first problem found.
    public static func parse(_ text: String) throws(ConfigError) -> DaemonConfig {
        let entries: [TOMLEntry]
        do {
            entries = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(key: "", problem: error.message, line: error.line)
        }
        var reader = ConfigReader(entries: entries)
        var config = DaemonConfig()
        var known: [String] = []
        func k(_ key: String) -> String {
            known.append(key)
            return key
        }

        guard let nodeID = try reader.integer(k("node_id"), in: 1...Int64(UInt32.max)) else {
            throw ConfigError(key: "node_id", problem: "is required (this node's creatorid, 1 to 4294967295)")
        }
        config.nodeID = UInt32(nodeID)

        // [sync]
        if let mode = try reader.string(k("sync.mode")) {
            guard let parsed = SyncMode(rawValue: mode) else {
                throw ConfigError(key: "sync.mode", problem: "must be \"pfsyncd\" or \"pfsync\" (got \"\(mode)\")",
                                  line: reader.line(of: "sync.mode"))
            }
            config.sync.mode = parsed
        }
        config.sync.interface = try reader.string(k("sync.interface"))
        config.sync.peer = try reader.string(k("sync.peer"))
        config.sync.group = try reader.string(k("sync.group"))
        config.sync.listen = try reader.string(k("sync.listen"))
        if let port = try reader.integer(k("sync.port"), in: 1...65535) { config.sync.port = UInt16(port) }
        if let port = try reader.integer(k("sync.peer_port"), in: 1...65535) { config.sync.peerPort = UInt16(port) }
        config.sync.keyFile = try reader.string(k("sync.key_file"))
        if let maxupd = try reader.integer(k("sync.maxupd"), in: 1...255) { config.sync.maxUpdates = Int(maxupd) }
        if let deferral = try reader.bool(k("sync.defer")) { config.sync.deferral = deferral }
        if let deltas = try reader.bool(k("sync.delta_updates")) { config.sync.deltaUpdates = deltas }
        if let flush = try reader.number(k("sync.flush_interval_ms"), in: 0.1...1000) {
            config.sync.flushIntervalMilliseconds = flush
        }
        if let mtu = try reader.integer(k("sync.mtu"), in: 576...9000) { config.sync.mtu = Int(mtu) }
        if let format = try reader.integer(k("sync.state_format"), in: 1301...1500) {
            guard [1301, 1400, 1500].contains(format) else {
                throw ConfigError(key: "sync.state_format", problem: "must be 1301, 1400 or 1500 (got \(format))",
                                  line: reader.line(of: "sync.state_format"))
            }
            config.sync.stateFormat = Int(format)
        }
        if let version = try reader.integer(k("sync.pfsync_version"), in: 5...6) {
            config.sync.pfsyncVersion = Int(version)
        }
        if let frames = try reader.integer(k("sync.resend_frames"), in: 64...1_048_576) {
            config.sync.resendFrames = Int(frames)
        }
        if let keepalive = try reader.number(k("sync.keepalive_ms"), in: 10...60_000) {
            config.sync.keepaliveMilliseconds = keepalive
        }
        if let delay = try reader.number(k("sync.ack_delay_ms"), in: 0...100) {
            config.sync.ackDelayMilliseconds = delay
        }
        if let gso = try reader.bool(k("sync.gso")) { config.sync.segmentationOffload = gso }
        if let gro = try reader.bool(k("sync.gro")) { config.sync.receiveOffload = gro }
        try validateSync(config.sync, reader: reader)

        // [capture]
        config.capture.interfaces = try reader.strings(k("capture.interfaces")) ?? []
        config.capture.files = try reader.strings(k("capture.files")) ?? []
        config.capture.filter = try reader.string(k("capture.filter"))
        if let snaplen = try reader.integer(k("capture.snaplen"), in: 96...262_144) {
            config.capture.snaplen = Int(snaplen)
        }
        if let sloppy = try reader.bool(k("capture.sloppy")) { config.capture.sloppy = sloppy }
        if let rate = try reader.number(k("capture.rate"), in: 0...1_000_000) { config.capture.rate = rate }
        if let feed = try reader.string(k("capture.feed")) {
            guard !feed.isEmpty, feed.utf8.count < 108 else {
                throw ConfigError(key: "capture.feed", problem: "must be a socket path of 1 to 107 bytes",
                                  line: reader.line(of: "capture.feed"))
            }
            config.capture.feed = feed
        }

        // [table]
        if let shards = try reader.integer(k("table.shards"), in: 1...4096) {
            guard shards & (shards - 1) == 0 else {
                throw ConfigError(key: "table.shards", problem: "must be a power of two (got \(shards))",
                                  line: reader.line(of: "table.shards"))
            }
            config.shards = Int(shards)
        }
        if let reserve = try reader.integer(k("table.reserve_states"), in: 0...100_000_000) {
            config.reserveStates = Int(reserve)
        }

        // [control]
        if let socket = try reader.string(k("control.socket")) {
            guard socket.utf8.count < 108 else {
                throw ConfigError(key: "control.socket", problem: "path is longer than 107 bytes",
                                  line: reader.line(of: "control.socket"))
            }
            config.controlSocket = socket
        }
        if let metrics = try reader.string(k("control.metrics_listen")) {
            guard Self.hostAndPort(metrics) != nil else {
                throw ConfigError(key: "control.metrics_listen",
                                  problem: "must be ADDRESS:PORT, e.g. 127.0.0.1:9240 or [::1]:9240 (got \"\(metrics)\")",
                                  line: reader.line(of: "control.metrics_listen"))
            }
            config.metricsListen = metrics
        }

        // [carp]
        let carpKeys = ["vhid", "advbase", "advskew", "password", "preempt", "interface", "vip", "virtual_hosts", "peer",
                        "up_script", "down_script", "bulk_demotion", "bulk_demotion_limit_s"].map { "carp." + $0 }
        if carpKeys.contains(where: reader.has) {
            var carp = CARPConfig()
            if let vhid = try reader.integer(k("carp.vhid"), in: 1...255) { carp.vhid = Int(vhid) }
            if let advbase = try reader.integer(k("carp.advbase"), in: 1...255) { carp.advbase = Int(advbase) }
            if let advskew = try reader.integer(k("carp.advskew"), in: 0...254) { carp.advskew = Int(advskew) }
            if let password = try reader.string(k("carp.password")) {
                guard password.utf8.count <= 19 else {
                    throw ConfigError(key: "carp.password", problem: "is at most 19 bytes (CARP's 20-byte key)",
                                      line: reader.line(of: "carp.password"))
                }
                carp.password = password
            }
            if let preempt = try reader.bool(k("carp.preempt")) { carp.preempt = preempt }
            carp.interface = try reader.string(k("carp.interface"))
            carp.virtualAddresses = try reader.strings(k("carp.vip")) ?? []
            carp.virtualHosts = try reader.strings(k("carp.virtual_hosts")) ?? []
            carp.peer = try reader.string(k("carp.peer"))
            carp.upScript = try reader.string(k("carp.up_script"))
            carp.downScript = try reader.string(k("carp.down_script"))
            if let demotion = try reader.integer(k("carp.bulk_demotion"), in: 0...255) { carp.bulkDemotion = Int(demotion) }
            if let limit = try reader.number(k("carp.bulk_demotion_limit_s"), in: 1...86_400) {
                carp.bulkDemotionLimitSeconds = limit
            }
            config.carp = carp
        } else {
            known += carpKeys
        }

        // [timeouts]
        for name in timeoutNames {
            if let seconds = try reader.integer(k("timeouts." + name), in: 1...Int64(UInt32.max / 2)) {
                config.timeouts[name] = UInt32(seconds)
            }
        }

        // [testing]
        if let drop = try reader.number(k("testing.drop_percent"), in: 0...100) { config.testing.dropPercent = drop }
        if let duplicate = try reader.number(k("testing.duplicate_percent"), in: 0...100) {
            config.testing.duplicatePercent = duplicate
        }
        if let reorder = try reader.number(k("testing.reorder_percent"), in: 0...100) {
            config.testing.reorderPercent = reorder
        }
        if let seed = try reader.integer(k("testing.seed"), in: 0...Int64.max) { config.testing.seed = UInt64(seed) }
        if let states = try reader.integer(k("testing.synthetic_states"), in: 0...100_000_000) {
            config.testing.syntheticStates = Int(states)
        }
        if let updates = try reader.integer(k("testing.synthetic_updates"), in: 0...Int64.max) {
            config.testing.syntheticUpdates = UInt64(updates)
        }
        if let rate = try reader.number(k("testing.synthetic_rate"), in: 0...1e9) { config.testing.syntheticRate = rate }
        if let replicate = try reader.bool(k("testing.synthetic_replicate_inserts")) {
            config.testing.syntheticReplicateInserts = replicate
        }

        try reader.finish(known: known)
        return config
    }

    private static func validateSync(_ sync: SyncConfig, reader: ConfigReader) throws(ConfigError) {
        if sync.peer != nil && sync.group != nil {
            throw ConfigError(key: "sync.group", problem: "set either sync.peer (unicast) or sync.group (multicast), not both",
                              line: reader.line(of: "sync.group"))
        }
        if let peer = sync.peer, !isIPAddress(peer) {
            throw ConfigError(key: "sync.peer", problem: "\"\(peer)\" is not an IPv4 or IPv6 address",
                              line: reader.line(of: "sync.peer"))
        }
        if let group = sync.group {
            guard isMulticast(group) else {
                throw ConfigError(key: "sync.group", problem: "\"\(group)\" is not a multicast address",
                                  line: reader.line(of: "sync.group"))
            }
            if sync.interface == nil {
                throw ConfigError(key: "sync.interface", problem: "is required with a multicast sync.group")
            }
        }
        if let listen = sync.listen, !isIPAddress(listen) {
            throw ConfigError(key: "sync.listen", problem: "\"\(listen)\" is not an IPv4 or IPv6 address",
                              line: reader.line(of: "sync.listen"))
        }
        if sync.peer == nil && sync.group == nil {
            if sync.mode == .pfsync {
                // pfsync's default: multicast 224.0.0.240 on the sync interface.
                if sync.interface == nil {
                    throw ConfigError(key: "sync.interface",
                                      problem: "is required in pfsync mode without sync.peer (multicast on the sync interface)")
                }
            } else {
                throw ConfigError(key: "sync.peer", problem: "is required: the peer's address (or set sync.group)")
            }
        }
        if sync.pfsyncVersion == 6 {
            guard sync.mode == .pfsync else {
                throw ConfigError(key: "sync.pfsync_version",
                                  problem: "applies to mode = \"pfsync\" only (sync frames carry FreeBSD version 5 packets)",
                                  line: reader.line(of: "sync.pfsync_version"))
            }
            if reader.line(of: "sync.state_format") != nil {
                throw ConfigError(key: "sync.state_format",
                                  problem: "is FreeBSD's; OpenBSD (pfsync_version = 6) has one state format",
                                  line: reader.line(of: "sync.state_format"))
            }
        }
        if sync.mode == .pfsyncd && sync.keyFile == nil {
            throw ConfigError(key: "sync.key_file",
                              problem: "is required in pfsyncd mode (the pre-shared key that authenticates sync frames)")
        }
    }

    /// True for a numeric IPv4 or IPv6 address.
    public static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// True for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address.
    public static func isMulticast(_ text: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 28 == 0xE
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { $0[0] == 0xFF }
        }
        return false
    }

    /// Splits "host:port" / "[v6]:port". Returns nil when malformed.
    public static func hostAndPort(_ text: String) -> (host: String, port: UInt16)? {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText), port > 0, isIPAddress(String(host)) else { return nil }
        return (String(host), port)
    }
}
