#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `gzip -dc FILE` child process whose output is read as a `FILE*` stream, so that libpcap
/// can read a `.pcap.gz` capture without a temporary file.
final class GzipPipe {
    /// The read end of the pipe (owned by libpcap once handed to `pcap_fopen_offline`).
    let stream: UnsafeMutablePointer<FILE>
    private var child: pid_t
    private let path: String

    /// Starts `gzip -dc -- path`.
    init(path: String) throws(CaptureError) {
        self.path = path
        #if os(Linux)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw .decompressionFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let arguments = ["gzip", "-dc", "--", path]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, "gzip", &actions, nil, &argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw .decompressionFailed(path: path, reason: "cannot run gzip: \(String(cString: strerror(status)))")
        }
        guard let file = fdopen(fds[0], "rb") else {
            close(fds[0])
            var ignored: Int32 = 0
            kill(pid, SIGTERM)
            waitpid(pid, &ignored, 0)
            throw .decompressionFailed(path: path, reason: String(cString: strerror(errno)))
        }
        self.stream = file
        self.child = pid
        #else
        throw .decompressionFailed(path: path, reason: "gzip-compressed captures are supported on Linux only")
        #endif
    }

    /// Waits for gzip to exit (call after the stream was closed). Returns a message when gzip
    /// failed (corrupt or cut archive), nil when it succeeded. Idempotent.
    @discardableResult
    func finish() -> String? {
        guard child > 0 else { return nil }
        var status: Int32 = 0
        let pid = child
        child = 0
        // The reader may stop before the end: make sure gzip does not block on a full pipe.
        kill(pid, SIGPIPE)
        guard waitpid(pid, &status, 0) == pid else { return nil }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        if exited && code != 0 {
            return "gzip failed on \(path) (exit status \(code)): the archive is corrupt or cut"
        }
        return nil
    }
}
