import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Two network namespaces joined by a veth pair (10.N.0.1 in A on "ca", 10.N.0.2 in B on
/// "cb"), a temporary directory, and child processes that are always killed and removed.
/// Names carry the pid and a random number so parallel runs never collide.
final class CARPNetns {
    let nsA: String
    let nsB: String
    let subnet: Int
    let directory: URL
    private var children: [Process] = []

    /// The addresses.
    var addressA: String { "10.\(subnet).0.1" }
    var addressB: String { "10.\(subnet).0.2" }
    var vip: String { "10.\(subnet).0.100" }

    /// True when the tests can run: root, and `ip` and `ucarp` present.
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ucarp")
            && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip"))
    }

    init() throws {
        let tag = "\(getpid() % 100_000)-\(Int.random(in: 0..<100_000))"
        nsA = "carpA-\(tag)"
        nsB = "carpB-\(tag)"
        subnet = Int.random(in: 100...199)
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("pfsyncd-carp-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw HarnessError.setup("mkdtemp failed") }
        directory = URL(fileURLWithPath: String(cString: made))
        do {
            try Self.ip(["netns", "add", nsA])
            try Self.ip(["netns", "add", nsB])
            try Self.ip(["link", "add", "ca", "netns", nsA, "type", "veth", "peer", "name", "cb", "netns", nsB])
            try Self.ip(["-n", nsA, "addr", "add", "\(addressA)/24", "dev", "ca"])
            try Self.ip(["-n", nsB, "addr", "add", "\(addressB)/24", "dev", "cb"])
            for (ns, dev) in [(nsA, "ca"), (nsB, "cb")] {
                try Self.ip(["-n", ns, "link", "set", dev, "up"])
                try Self.ip(["-n", ns, "link", "set", "lo", "up"])
            }
        } catch {
            shutdown()
            throw error
        }
    }

    /// Kills every child, deletes the namespaces and the directory.
    func shutdown() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        _ = try? Self.ip(["netns", "del", nsA])
        _ = try? Self.ip(["netns", "del", nsB])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `arguments` inside `namespace` with output to `log` (a file in the directory).
    @discardableResult
    func spawn(in namespace: String, _ arguments: [String], log: String) throws -> Process {
        let logURL = directory.appendingPathComponent(log)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: Self.ipPath)
        child.arguments = ["netns", "exec", namespace] + arguments
        child.standardOutput = handle
        child.standardError = handle
        try child.run()
        children.append(child)
        return child
    }

    /// A path in the directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The text of a file in the directory ("" when absent).
    func read(_ name: String) -> String { (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "" }

    /// Writes an executable script that appends "<tag> <args>" to `events` in the directory.
    func recorderScript(_ name: String, tag: String, events: String) throws -> String {
        let text = "#!/bin/sh\necho \"\(tag) $1 $2\" >> \(path(events))\n"
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        chmod(path(name), 0o755)
        return path(name)
    }

    /// True when `address` is configured on the namespace's CARP interface.
    func hasAddress(_ namespace: String, _ address: String) -> Bool {
        let dev = namespace == nsA ? "ca" : "cb"
        guard let output = try? Self.capture(Self.ipPath, ["-n", namespace, "-4", "addr", "show", "dev", dev]) else { return false }
        return output.contains(" \(address)/")
    }

    static var ipPath: String {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
    }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String { try capture(ipPath, arguments) }

    /// Runs a program to completion and returns its standard output; throws on failure.
    @discardableResult
    static func capture(_ program: String, _ arguments: [String]) throws -> String {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: program)
        child.arguments = arguments
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        try child.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else {
            throw HarnessError.setup("\(program) \(arguments.joined(separator: " ")) exited \(child.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
