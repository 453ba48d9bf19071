import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Two-daemon test support: a temporary directory, a key file (mode 0600), free ports, and
/// `pfsyncd run` children that are always killed at the end.
final class DaemonHarness {
    /// The temporary directory (removed by ``shutdown()``).
    let directory: URL
    /// The shared key file.
    let keyPath: String
    private(set) var nodes: [DaemonNode] = []

    init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("pfsyncd-test-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw HarnessError.setup("mkdtemp failed") }
        directory = URL(fileURLWithPath: String(cString: made))
        keyPath = directory.appendingPathComponent("sync.key").path
        var key = [UInt8](repeating: 0, count: 32)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        guard FileManager.default.createFile(atPath: keyPath, contents: Data(key), attributes: [.posixPermissions: 0o600])
        else { throw HarnessError.setup("cannot write the key file") }
    }

    /// A node listening on its own free port of 127.0.0.1, peering with the port of `peer`
    /// (set later with ``DaemonNode/peerPort`` when the peer does not exist yet).
    func makeNode(name: String, nodeID: UInt32, extraConfig: String = "") throws -> DaemonNode {
        let node = DaemonNode(
            name: name, nodeID: nodeID, directory: directory, keyPath: keyPath, port: try Self.freeUDPPort(),
            extraConfig: extraConfig)
        nodes.append(node)
        return node
    }

    /// Kills every child (SIGKILL if still running) and removes the directory.
    func shutdown() {
        for node in nodes { node.kill() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether a UDP socket can bind to ::1 (IPv6 can be off in a container or on a laptop).
    static let hasIPv6Loopback: Bool = {
        let descriptor = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }()

    /// A UDP port of 127.0.0.1 that was free a moment ago.
    static func freeUDPPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError.setup("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(descriptor, raw, length) == 0 else { return -1 }
                return getsockname(descriptor, raw, &length)
            }
        }
        guard bound == 0 else { throw HarnessError.setup("bind failed") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    /// The capture to replay: the shared 2k-connection HTTP capture when present, else a
    /// synthetic one written into the test directory.
    func captureFile() throws -> String {
        let shared = DecodeRunner.packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/pcaps/netns__http-2k.pcap").path
        let forceSynthetic = ProcessInfo.processInfo.environment["PFSYNCD_TEST_SYNTHETIC_CAPTURE"] == "1"
        for candidate in [shared, SharedPcaps.root + "/netns__http-2k.pcap"]
        where !forceSynthetic && FileManager.default.isReadableFile(atPath: candidate) {
            return candidate
        }
        let path = directory.appendingPathComponent("synthetic.pcap").path
        try SyntheticCapture.write(connections: 1500, to: path)
        return path
    }
}

enum HarnessError: Error, CustomStringConvertible {
    case setup(String)
    case daemon(String)

    var description: String {
        switch self {
        case .setup(let message): return "test setup: \(message)"
        case .daemon(let message): return message
        }
    }
}
