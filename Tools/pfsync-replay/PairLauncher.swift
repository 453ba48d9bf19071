import Foundation
import PFSyncDaemon

/// Starts a primary and a backup `pfsyncd run` on loopback: a temporary directory with a
/// random key (0600), configs with free UDP ports of 127.0.0.1, control and feed sockets.
final class PairLauncher {
    let directory: String
    private(set) var primary: DaemonHandle?
    private(set) var backup: DaemonHandle?

    init() throws(ReplayError) {
        var template = Array("/tmp/pfsync-replay-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw .daemon("mkdtemp failed") }
        directory = String(cString: made)
    }

    /// Starts both daemons and waits until both answer and serve their feed.
    func start(pfsyncd: String, settings: ReplaySettings) throws(ReplayError) -> (DaemonHandle, DaemonHandle) {
        let keyPath = directory + "/sync.key"
        var key = [UInt8](repeating: 0, count: 32)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        guard FileManager.default.createFile(atPath: keyPath, contents: Data(key), attributes: [.posixPermissions: 0o600])
        else { throw .daemon("cannot write \(keyPath)") }
        let ports = (try Self.freeUDPPort(), try Self.freeUDPPort())
        let primary = try launch(
            "primary", nodeID: 1, port: ports.0, peerPort: ports.1, key: keyPath, pfsyncd: pfsyncd, settings: settings)
        self.primary = primary
        let backup = try launch(
            "backup", nodeID: 2, port: ports.1, peerPort: ports.0, key: keyPath, pfsyncd: pfsyncd, settings: settings)
        self.backup = backup
        for handle in [primary, backup] {
            let deadline = Date().addingTimeInterval(20)
            var attached = false
            while Date() < deadline, handle.process?.isRunning ?? false {
                if (try? handle.attach()) != nil, FileManager.default.fileExists(atPath: handle.feedSocket) {
                    attached = true
                    break
                }
                usleep(50_000)
            }
            guard attached else { throw .daemon("\(handle.name) did not start: \(handle.logTail)") }
        }
        return (primary, backup)
    }

    /// Kills what is still running and removes the directory.
    func shutdown() {
        for handle in [primary, backup].compactMap({ $0 }) {
            if let process = handle.process, process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func launch(
        _ name: String, nodeID: Int, port: UInt16, peerPort: UInt16, key: String, pfsyncd: String,
        settings: ReplaySettings
    ) throws(ReplayError) -> DaemonHandle {
        let control = "\(directory)/\(name).sock"
        let flush = settings.flushIntervalMilliseconds.map { "flush_interval_ms = \($0)\n" } ?? ""
        let config = """
            node_id = \(nodeID)
            [sync]
            peer = "127.0.0.1"
            listen = "127.0.0.1"
            port = \(port)
            peer_port = \(peerPort)
            key_file = "\(key)"
            defer = \(settings.deferral)
            \(flush)[capture]
            feed = "\(directory)/\(name).feed"
            [control]
            socket = "\(control)"

            """
        let configPath = "\(directory)/\(name).toml"
        let logPath = "\(directory)/\(name).log"
        do {
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let child = Process()
            child.executableURL = URL(fileURLWithPath: pfsyncd)
            child.arguments = ["run", "--config", configPath, "--log-level", "warning"]
            child.standardOutput = log
            child.standardError = log
            try child.run()
            return DaemonHandle(name: name, controlSocket: control, process: child, logPath: logPath)
        } catch {
            throw .daemon("cannot start \(pfsyncd) for the \(name): \(error)")
        }
    }

    /// `pfsyncd` beside this executable.
    static func defaultPfsyncd() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("pfsyncd").path
    }

    /// A UDP port of 127.0.0.1 that was free a moment ago.
    static func freeUDPPort() throws(ReplayError) -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw .daemon("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(descriptor, raw, length) == 0 else { return -1 }
                return getsockname(descriptor, raw, &length)
            }
        }
        guard bound == 0 else { throw .daemon("no free UDP port on 127.0.0.1") }
        return UInt16(bigEndian: address.sin_port)
    }
}
