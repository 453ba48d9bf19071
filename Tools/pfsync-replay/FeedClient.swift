#if canImport(Glibc)
import Glibc
#endif
import PFSyncDaemon

/// The client end of a daemon's feed socket (``FeedProtocol``): sends batches of frames,
/// reads one verdict byte per frame back. The batch buffer is reused across batches.
final class FeedClient {
    private var descriptor: Int32
    private var batch: [UInt8] = []
    /// Records in the batch being built.
    private(set) var pending = 0
    /// The last batch's verdicts (``PFSyncTracker/Verdict`` raw values).
    private(set) var verdicts: [UInt8] = []

    /// Connects to `path` and exchanges the hello for frames of `linkType`.
    init(path: String, linkType: Int32) throws(ReplayError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .feed("path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .feed("socket: \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw .feed("cannot connect to the feed socket \(path): \(reason)")
        }
        batch.reserveCapacity(1 << 20)
        verdicts.reserveCapacity(FeedProtocol.maximumBatch)
        var hello: [UInt8] = []
        Self.append(FeedProtocol.helloMagic, to: &hello)
        Self.append(UInt32(FeedProtocol.version) << 16, to: &hello)
        Self.append(UInt32(bitPattern: linkType), to: &hello)
        try send(hello)
        var answer = [UInt8](repeating: 0, count: FeedProtocol.answerSize)
        try receive(into: &answer, count: FeedProtocol.answerSize)
        let status = UInt16(answer[6]) << 8 | UInt16(answer[7])
        guard Self.u32(answer, 0) == FeedProtocol.answerMagic, status == FeedProtocol.HelloStatus.accepted.rawValue
        else { throw .feed("the daemon refused the feed hello (status \(status))") }
    }

    deinit { close() }

    /// Closes the connection.
    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// Adds a record; `rewrite` may change the frame bytes in place (given the batch and the
    /// frame's offset in it).
    func add(
        _ frame: ArraySlice<UInt8>, seconds: UInt32, microseconds: UInt32,
        rewrite: (inout [UInt8], Int) -> Void
    ) {
        Self.append(UInt32(frame.count), to: &batch)
        Self.append(seconds, to: &batch)
        Self.append(microseconds, to: &batch)
        let start = batch.count
        batch.append(contentsOf: frame)
        rewrite(&batch, start)
        pending += 1
    }

    /// Sends the batch and reads its verdicts into ``verdicts``.
    func flush() throws(ReplayError) {
        guard pending > 0 else { return }
        Self.append(FeedProtocol.batchTerminator, to: &batch)
        try send(batch)
        let expected = pending
        batch.removeAll(keepingCapacity: true)
        pending = 0
        var header = [UInt8](repeating: 0, count: 4)
        try receive(into: &header, count: 4)
        let count = Int(Self.u32(header, 0))
        guard count == expected else { throw .feed("the daemon answered \(count) verdicts for \(expected) packets") }
        verdicts.removeAll(keepingCapacity: true)
        verdicts.append(contentsOf: repeatElement(0, count: count))
        try receive(into: &verdicts, count: count)
    }

    private func send(_ bytes: [UInt8]) throws(ReplayError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .feed("feed socket: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func receive(into bytes: inout [UInt8], count: Int) throws(ReplayError) {
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return recv(descriptor, base + offset, count - offset, 0)
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw .feed("the daemon closed the feed socket") }
            offset += got
        }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    private static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}

/// Why a replay could not go on.
enum ReplayError: Error, CustomStringConvertible {
    case capture(String)
    case daemon(String)
    case feed(String)

    var description: String {
        switch self {
        case .capture(let text), .daemon(let text), .feed(let text): return text
        }
    }
}
