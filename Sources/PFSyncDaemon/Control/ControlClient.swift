#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a control request failed, worded for the one-line CLI error.
public enum ControlClientError: Error, Sendable, CustomStringConvertible {
    /// Nothing listens at the path (the daemon is not running).
    case noDaemon(path: String, reason: String)
    /// The connection broke or timed out.
    case io(path: String, reason: String)
    /// The daemon's answer is not a JSON object with "ok".
    case badResponse(String)
    /// The daemon answered with an error.
    case refused(String)

    public var description: String {
        switch self {
        case let .noDaemon(path, reason): return "no daemon at \(path) (\(reason))"
        case let .io(path, reason): return "control socket \(path): \(reason)"
        case let .badResponse(text): return "bad response from the daemon: \(text)"
        case let .refused(message): return message
        }
    }
}

/// A blocking client of the control socket (the CLI side).
public enum ControlClient {
    /// Sends `{"command": command, ...arguments}` and returns the daemon's `result`.
    public static func request(
        path: String, command: String, arguments: [(String, JSONValue)] = [], timeoutSeconds: Int = 30
    ) throws(ControlClientError)
        -> JSONValue
    {
        let descriptor = try connect(path: path)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        JSONValue.object([("command", .string(command))] + arguments).write(into: &request)
        request.append(0x0A)
        try writeAll(descriptor, request, path: path)
        let line = try readLine(descriptor, path: path)
        let response: JSONValue
        do {
            response = try JSONParser.parse(line)
        } catch {
            throw .badResponse("\(error)")
        }
        guard let ok = response["ok"]?.boolValue else { throw .badResponse("no \"ok\" field") }
        guard ok else { throw .refused(response["error"]?.stringValue ?? "the daemon refused the request") }
        return response["result"] ?? .null
    }

    /// True when something accepts connections at `path`.
    public static func isAnswering(path: String) -> Bool {
        guard let descriptor = try? connect(path: path) else { return false }
        close(descriptor)
        return true
    }

    private static func connect(path: String) throws(ControlClientError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .noDaemon(path: path, reason: "path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw .io(path: path, reason: SystemError.text()) }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            let reason = code == ECONNREFUSED ? "connection refused" : SystemError.text(code).lowercased()
            throw .noDaemon(path: path, reason: reason)
        }
        return descriptor
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(ControlClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: SystemError.text())
            }
            offset += written
        }
    }

    private static func readLine(_ descriptor: Int32, path: String) throws(ControlClientError) -> [UInt8] {
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: errno == EAGAIN ? "timed out waiting for the daemon" : SystemError.text())
            }
            if count == 0 { break }
            collected.append(contentsOf: chunk[..<count])
            if chunk[count - 1] == 0x0A { break }
        }
        if collected.last == 0x0A { collected.removeLast() }
        guard !collected.isEmpty else { throw .io(path: path, reason: "the daemon closed the connection") }
        return collected
    }
}
