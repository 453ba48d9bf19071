#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread (as `top -H`, `ps -L` and /proc/PID/task/TID/comm show it;
/// Linux keeps at most 15 bytes), so that each capture source's CPU can be told apart.
/// Writes /proc/thread-self/comm (Glibc's Swift overlay has no pthread_setname_np); does
/// nothing where that file does not exist.
enum ThreadName {
    static func set(_ name: String) {
        #if canImport(Glibc)
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        defer { close(file) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        #endif
    }
}
