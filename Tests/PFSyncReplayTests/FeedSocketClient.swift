import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain client of the feed socket, written from PROTOCOL.md ("Feed socket")
/// independently of the tool's client, so that tests can also send what a broken client would.
final class FeedSocketClient {
    private var descriptor: Int32

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FeedTestError("socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw FeedTestError("connect failed: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Big-endian u32.
    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The hello: magic, version, reserved, link type.
    static func hello(magic: [UInt8] = Array("PFSF".utf8), version: UInt16 = 1, linkType: UInt32) -> [UInt8] {
        magic + [UInt8(version >> 8), UInt8(version & 0xFF), 0, 0] + u32(linkType)
    }

    /// One record.
    static func record(_ frame: [UInt8], seconds: UInt32 = 1_700_000_000, microseconds: UInt32 = 0) -> [UInt8] {
        u32(UInt32(frame.count)) + u32(seconds) + u32(microseconds) + frame
    }

    /// The batch terminator.
    static let end = u32(0xFFFF_FFFF)

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Exactly `count` bytes, or nil when the daemon closed the connection first.
    func receive(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return recv(descriptor, base + offset, count - offset, 0)
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            offset += got
        }
        return bytes
    }

    /// The hello answer's status (nil: closed).
    func helloStatus() -> UInt16? {
        guard let answer = receive(8), Array(answer[0..<4]) == Array("PFSA".utf8) else { return nil }
        return UInt16(answer[6]) << 8 | UInt16(answer[7])
    }

    /// A batch reply's verdicts (nil: closed).
    func verdicts() -> [UInt8]? {
        guard let header = receive(4) else { return nil }
        let count = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        return count == 0 ? [] : receive(count)
    }

    /// A raw IPv4 TCP segment (link type 228) from 10.1.0.1:40000 to 10.1.0.2:80.
    static func tcpSegment(flags: UInt8, seq: UInt32) -> [UInt8] {
        let ip: [UInt8] = [0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2]
        let tcp: [UInt8] = [0x9C, 0x40, 0, 80] + u32(seq) + u32(0) + [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        return ip + tcp
    }
}
