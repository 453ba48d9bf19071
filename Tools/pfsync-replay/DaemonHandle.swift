import Foundation
import PFSyncDaemon

/// One daemon of the pair: its control socket, its feed socket and its process id (read
/// from `status`), and the child process when this tool started it.
final class DaemonHandle {
    let name: String
    let controlSocket: String
    private(set) var feedSocket: String = ""
    private(set) var pid: Int32 = 0
    /// The child, when this tool started it.
    let process: Process?
    /// Its log file, when this tool started it.
    let logPath: String?

    init(name: String, controlSocket: String, process: Process? = nil, logPath: String? = nil) {
        self.name = name
        self.controlSocket = controlSocket
        self.process = process
        self.logPath = logPath
    }

    /// Reads the feed socket path and pid from `status` (fails when the daemon has no feed).
    func attach() throws(ReplayError) {
        let status = try request("status")
        guard let feed = status["feed"]?.stringValue else {
            throw .daemon("\(name) (\(controlSocket)) has no feed socket: set capture.feed in its config")
        }
        feedSocket = feed
        pid = Int32(truncatingIfNeeded: status["pid"]?.unsignedValue ?? 0)
        if let process { pid = process.processIdentifier }
    }

    /// One control request.
    func request(_ command: String) throws(ReplayError) -> JSONValue {
        do {
            return try ControlClient.request(path: controlSocket, command: command, timeoutSeconds: 30)
        } catch {
            throw .daemon("\(name): \(command): \(error)")
        }
    }

    /// Sends `signal` and, when `wait`, waits (bounded) for the process to exit.
    func signal(_ signal: Int32, wait: Bool, seconds: Double = 30) {
        guard pid > 0 else { return }
        kill(pid, signal)
        guard wait else { return }
        let deadline = Date().addingTimeInterval(seconds)
        if let process {
            while process.isRunning && Date() < deadline { usleep(1000) }
        } else {
            while kill(pid, 0) == 0 && Date() < deadline { usleep(1000) }
        }
    }

    /// The last lines of its log.
    var logTail: String {
        guard let logPath, let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }
}
