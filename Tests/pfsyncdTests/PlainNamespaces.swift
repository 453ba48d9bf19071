import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Two network namespaces for plain pfsync tests, joined by two veth pairs: the sync link
/// (`synca` 10.240.0.1 - `syncb` 10.240.0.2) and a second link that is not the sync
/// interface (`othera` 10.241.0.1 - `otherb` 10.241.0.2). Names carry the pid and a random
/// number; ``remove()`` deletes both namespaces (and with them the veths).
final class PlainNamespaces {
    let a: String
    let b: String
    static let syncA = "10.240.0.1"
    static let syncB = "10.240.0.2"
    static let otherA = "10.241.0.1"
    static let otherB = "10.241.0.2"

    init() throws {
        let tag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        a = "pfplain-\(tag)-a"
        b = "pfplain-\(tag)-b"
        do {
            try Self.ip(["netns", "add", a])
            try Self.ip(["netns", "add", b])
            try Self.ip(["-n", a, "link", "add", "synca", "type", "veth", "peer", "name", "syncb", "netns", b])
            try Self.ip(["-n", a, "link", "add", "othera", "type", "veth", "peer", "name", "otherb", "netns", b])
            for (namespace, device, address) in [
                (a, "synca", Self.syncA), (b, "syncb", Self.syncB), (a, "othera", Self.otherA), (b, "otherb", Self.otherB),
            ] {
                try Self.ip(["-n", namespace, "addr", "add", address + "/24", "dev", device])
                try Self.ip(["-n", namespace, "link", "set", device, "up"])
            }
            try Self.ip(["-n", a, "link", "set", "lo", "up"])
            try Self.ip(["-n", b, "link", "set", "lo", "up"])
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes the sync link (both ends of the veth pair go) and creates it again with the
    /// same names and addresses: new interfaces, with new indexes.
    func deleteSyncLink() throws {
        try Self.ip(["-n", a, "link", "del", "synca"])
    }

    /// Creates the sync link again after ``deleteSyncLink()``.
    func createSyncLink() throws {
        try Self.ip(["-n", a, "link", "add", "synca", "type", "veth", "peer", "name", "syncb", "netns", b])
        for (namespace, device, address) in [(a, "synca", Self.syncA), (b, "syncb", Self.syncB)] {
            try Self.ip(["-n", namespace, "addr", "add", address + "/24", "dev", device])
            try Self.ip(["-n", namespace, "link", "set", device, "up"])
        }
    }

    /// Deletes both namespaces; safe to call more than once.
    func remove() {
        _ = try? Self.ip(["netns", "del", a], check: false)
        _ = try? Self.ip(["netns", "del", b], check: false)
    }

    /// Runs `ip ARGS`; throws on a non-zero exit unless `check` is false.
    @discardableResult
    static func ip(_ arguments: [String], check: Bool = true) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if check && process.terminationStatus != 0 {
            throw HarnessError.setup("ip \(arguments.joined(separator: " ")): \(message)")
        }
        return process.terminationStatus
    }

    /// True when the `ip` tool and network namespaces can be used (root).
    static var available: Bool { getuid() == 0 && FileManager.default.fileExists(atPath: "/proc/self/ns/net") }
}

/// A raw IP protocol-240 socket opened inside a namespace (the calling thread enters the
/// namespace with setns only while the socket is created, then returns), for injecting
/// pfsync packets with a chosen TTL from outside the daemons.
final class NamespaceRawSender {
    private let descriptor: Int32

    /// Opens the socket in `namespace`; multicast leaves through `interfaceAddress`.
    init(namespace: String, interfaceAddress: String) throws {
        let own = open("/proc/thread-self/ns/net", O_RDONLY)
        let target = open("/var/run/netns/\(namespace)", O_RDONLY)
        defer {
            if own >= 0 { close(own) }
            if target >= 0 { close(target) }
        }
        guard own >= 0, target >= 0 else { throw HarnessError.setup("cannot open the namespace files of \(namespace)") }
        let newNet: Int32 = 0x4000_0000  // CLONE_NEWNET
        guard let setns = Self.setns else { throw HarnessError.setup("setns is not available") }
        guard setns(target, newNet) == 0 else { throw HarnessError.setup("setns \(namespace): errno \(errno)") }
        let created = socket(AF_INET, Int32(SOCK_RAW.rawValue), 240)
        let back = setns(own, newNet)
        guard back == 0 else { fatalError("cannot return to the test's network namespace (errno \(errno))") }
        guard created >= 0 else { throw HarnessError.setup("raw socket: errno \(errno)") }
        descriptor = created
        var loop: UInt8 = 0
        setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, &loop, 1)
        var interface = in_addr()
        inet_pton(AF_INET, interfaceAddress, &interface)
        setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, &interface, socklen_t(MemoryLayout<in_addr>.size))
    }

    deinit { close(descriptor) }

    /// glibc's setns(2), looked up at run time (Glibc's module map does not export it).
    private static let setns: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    /// Sends `payload` (the kernel adds the IPv4 header) to `destination` with `ttl`.
    func send(_ payload: [UInt8], to destination: String, ttl: Int32) throws {
        var value = ttl
        setsockopt(descriptor, Int32(IPPROTO_IP), IP_TTL, &value, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_TTL, &value, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, destination, &address.sin_addr)
        let sent = payload.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == payload.count else { throw HarnessError.setup("sendto \(destination): errno \(errno)") }
    }
}
