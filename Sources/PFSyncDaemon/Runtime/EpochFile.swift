#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the last epoch a daemon used, so that every start gets a larger one.
///
/// The epoch is the start time in seconds (PROTOCOL.md, "Sequence numbers and epochs"). Two
/// starts within the same second would share it, and the peer would then take the second
/// run's frames, numbered from 1 again, for replays of the first run's and drop them. With
/// the file, a start in the same second (a crash loop, a quick restart) takes the last
/// epoch + 1 instead. The file lives beside the control socket, in a directory the daemon
/// writes anyway.
public enum EpochFile {
    /// Where the epoch is kept for a daemon whose control socket is `controlSocket`.
    public static func path(controlSocket: String) -> String {
        controlSocket + ".epoch"
    }

    /// The epoch for this start: `now`, or the kept epoch + 1 when that is larger; kept in
    /// the file for the next start. Returns the epoch and, when the file could not be read
    /// or written, why (the epoch is then `now`, as without the file).
    public static func next(path: String, now: UInt32) -> (epoch: UInt32, problem: String?) {
        var epoch = now
        if let last = read(path), last < UInt32.max {
            epoch = max(now, last + 1)
        }
        if let problem = write(epoch, to: path) {
            return (now, problem)
        }
        return (epoch, nil)
    }

    static func read(_ path: String) -> UInt32? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let digits = bytes[..<count].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return UInt32(String(decoding: digits, as: UTF8.self))
    }

    /// Writes `epoch` to a temporary file and renames it over `path` (never half a number).
    static func write(_ epoch: UInt32, to path: String) -> String? {
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return "cannot write \(temporary): \(SystemError.text())" }
        let text = Array("\(epoch)\n".utf8)
        let written = text.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == text.count, rename(temporary, path) == 0 else {
            let reason = SystemError.text()
            unlink(temporary)
            return "cannot write \(path): \(reason)"
        }
        return nil
    }
}
