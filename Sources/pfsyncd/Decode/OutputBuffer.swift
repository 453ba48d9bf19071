#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor: lines are appended to one reusable byte buffer
/// that goes out with a single `write(2)` when it passes ``flushThreshold`` and at the end.
struct OutputBuffer {
    /// Bytes collected before they are written.
    static let flushThreshold = 64 * 1024

    private let descriptor: Int32
    private var bytes: [UInt8] = []

    /// A writer to `descriptor` (1 for standard output).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        bytes.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends raw bytes.
    mutating func append(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
        if bytes.count >= Self.flushThreshold { flush() }
    }

    /// Appends text.
    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= Self.flushThreshold { flush() }
    }

    /// Writes everything collected so far.
    mutating func flush() {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let written = write(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes one line to standard error at once (for messages about the run, not the data).
    static func standardError(_ line: String) {
        var writer = OutputBuffer(descriptor: 2)
        writer.append(line + "\n")
        writer.flush()
    }
}
