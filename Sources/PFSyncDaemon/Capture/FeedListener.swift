#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The feed socket's listening end: a Unix stream socket (mode 0600) accepted with a poll
/// timeout, so the feed thread notices shutdown.
final class FeedListener {
    /// The socket path.
    let path: String
    private var descriptor: Int32 = -1

    /// Binds and listens at `path` (an old socket file there is replaced).
    init(path: String) throws(FeedError) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw FeedError("feed socket path is empty or longer than 107 bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        #if canImport(Glibc)
        let made = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let made = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard made >= 0 else { throw FeedError("feed socket: \(SystemError.text())") }
        unlink(path)
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(made, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(previousMask)
        guard bound == 0, listen(made, 4) == 0 else {
            let reason = SystemError.text()
            close(made)
            throw FeedError("cannot open the feed socket \(path): \(reason)")
        }
        chmod(path, 0o600)
        descriptor = made
    }

    deinit { shutdown() }

    /// Waits up to `timeoutMilliseconds` for a client; returns its descriptor or nil.
    func accept(timeoutMilliseconds: Int32) -> Int32? {
        guard descriptor >= 0 else { return nil }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
        let client = Glibc.accept(descriptor, nil, nil)
        return client >= 0 ? client : nil
    }

    /// Closes the socket and removes its file.
    func shutdown() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(path)
    }
}

/// A feed connection or socket problem (reported in `status`, never fatal).
struct FeedError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
