import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One `pfsyncd run` child with a feed socket, for the feed-socket tests; killed by
/// ``stop()``.
final class FeedDaemon {
    let directory: String
    let feedPath: String
    let controlPath: String
    private let process = Process()

    init() throws {
        var template = Array("/tmp/pfsync-feed-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FeedTestError("mkdtemp failed") }
        directory = String(cString: made)
        feedPath = directory + "/feed.sock"
        controlPath = directory + "/control.sock"
        var key = [UInt8](repeating: 0, count: 32)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        guard FileManager.default.createFile(
            atPath: directory + "/key", contents: Data(key), attributes: [.posixPermissions: 0o600])
        else { throw FeedTestError("cannot write the key") }
        // The peer port is a free port nobody answers on: the daemon replicates into the void.
        let config = """
            node_id = 7
            [sync]
            peer = "127.0.0.1"
            listen = "127.0.0.1"
            port = \(try Self.freeUDPPort())
            peer_port = \(try Self.freeUDPPort())
            key_file = "\(directory)/key"
            [capture]
            feed = "\(feedPath)"
            [control]
            socket = "\(controlPath)"

            """
        try config.write(toFile: directory + "/pfsyncd.toml", atomically: true, encoding: .utf8)
        guard let binary = ReplayBinaryLocator.binary("pfsyncd") else {
            throw FeedTestError("pfsyncd is not built in \(ReplayBinaryLocator.productsDirectory.path)")
        }
        process.executableURL = binary
        process.arguments = ["run", "--config", directory + "/pfsyncd.toml", "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning, !FileManager.default.fileExists(atPath: feedPath) {
            usleep(50_000)
        }
        // The control socket is a service of its own, and the feed socket's file exists
        // before it listens: ready means the status says the feed source is running.
        while Date() < deadline, process.isRunning,
            (try? feedStatus())?.source["phase"] as? String != "running"
        {
            usleep(50_000)
        }
        guard FileManager.default.fileExists(atPath: feedPath),
            (try? feedStatus())?.source["phase"] as? String == "running"
        else {
            stop()
            throw FeedTestError("the daemon did not open its feed socket")
        }
    }

    /// True while the daemon runs.
    var isRunning: Bool { process.isRunning }

    /// SIGKILL and remove the directory.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `pfsyncd status --json`: the feed source object and the top-level `feed` path.
    func feedStatus() throws -> (source: NSDictionary, path: String?) {
        guard let binary = ReplayBinaryLocator.binary("pfsyncd") else { throw FeedTestError("pfsyncd missing") }
        let child = Process()
        child.executableURL = binary
        child.arguments = ["status", "--json", "--socket", controlPath]
        let out = Pipe()
        child.standardOutput = out
        try child.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard let status = try JSONSerialization.jsonObject(with: data) as? NSDictionary,
            let captures = status["capture"] as? [NSDictionary],
            let feed = captures.first(where: { $0["kind"] as? String == "feed" })
        else { throw FeedTestError("no feed source in status: \(String(decoding: data, as: UTF8.self))") }
        return (feed, status["feed"] as? String)
    }

    static func freeUDPPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw FeedTestError("socket failed") }
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
        guard bound == 0 else { throw FeedTestError("bind failed") }
        return UInt16(bigEndian: address.sin_port)
    }
}

struct FeedTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
