#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted feed client: a reusable receive buffer that hands out whole records
/// without copying, and blocking writes. Reads poll with a timeout so that shutdown is
/// noticed; nothing is allocated per record.
final class FeedConnection {
    /// What a read produced.
    enum ReadResult {
        /// The bytes asked for are buffered.
        case ready
        /// The client closed the connection.
        case closed
        /// Shutdown was requested.
        case stopped
        /// A socket error.
        case failed(String)
    }

    private var descriptor: Int32
    private let stop: StopFlag
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    /// Wraps `descriptor` (closed by ``close()`` or deinit).
    init(descriptor: Int32, stop: StopFlag, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.stop = stop
        buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(capacity, FeedProtocol.maximumFrame + FeedProtocol.recordHeaderSize), alignment: 8)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Closes the socket.
    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// Buffered bytes not consumed yet.
    var available: Int { end - start }

    /// Reads until at least `count` bytes are buffered (`count` must not exceed the capacity).
    func fill(_ count: Int) -> ReadResult {
        guard count <= buffer.count else { return .failed("read of \(count) bytes exceeds the buffer") }
        if end - start >= count { return .ready }
        if buffer.count - start < count {
            let pending = end - start
            if pending > 0, let base = buffer.baseAddress {
                memmove(base, base + start, pending)
            }
            start = 0
            end = pending
        }
        while end - start < count {
            if stop.isRaised { return .stopped }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready < 0 && errno != EINTR { return .failed(SystemError.text()) }
            guard ready > 0, let base = buffer.baseAddress else { continue }
            let got = recv(descriptor, base + end, buffer.count - end, 0)
            if got == 0 { return .closed }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failed(SystemError.text())
            }
            end += got
        }
        return .ready
    }

    /// A view of the next `count` buffered bytes (call ``fill(_:)`` first), consumed.
    func take(_ count: Int) -> UnsafeRawBufferPointer {
        let view = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
        start += count
        return view
    }

    /// The big-endian u32 at the front of the buffer, not consumed (``fill(_:)`` 4 first).
    func peekU32() -> UInt32 {
        FeedProtocol.u32(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + 4)]), at: 0)
    }

    /// Sends every byte of `bytes`; false when the client went away.
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return false }
            let written = Glibc.send(descriptor, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
