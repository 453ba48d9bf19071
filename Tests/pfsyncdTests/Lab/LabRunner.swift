import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Drives `Tools/lab/lab.sh` for one test: a lab with its own id (namespace prefix and
/// directory), always torn down by ``down()``.
final class LabRunner {
    let id: String
    let script: String
    let binary: String

    /// True where the lab can run: root, nginx and ab installed, a pfsyncd binary built.
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ab") && DecodeRunner.binary() != nil
    }

    init() throws {
        guard let binary = DecodeRunner.binary() else { throw LabError("pfsyncd binary not found") }
        self.binary = binary.path
        // Short and unique: interface-free namespace names "pl<id>-fw1" etc.
        id = String(format: "%x%03x", getpid() % 0xFFF, Int.random(in: 0..<0xFFF))
        script = DecodeRunner.packageRoot.appendingPathComponent("Tools/lab/lab.sh").path
    }

    /// Runs one lab command; returns its standard output. Throws on a non-zero exit.
    @discardableResult
    func run(_ arguments: String...) throws -> String {
        let (status, output, errors) = try execute(arguments)
        guard status == 0 else { throw LabError("lab.sh \(arguments.joined(separator: " ")) failed (\(status)): \(errors)\(output)") }
        return output
    }

    /// Starts a command in the background (client load); wait for it with ``wait(_:)``.
    func background(_ arguments: String..., environment extra: [String: String] = [:]) throws -> pid_t {
        try spawn(arguments, output: "/dev/null", errors: "/dev/null", extra: extra)
    }

    /// Waits for a command started by ``background(_:)``; returns its exit status.
    @discardableResult
    func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// Who holds the LAN VIP: "fw1", "fw2", "both" or "none".
    func master() -> String {
        (try? execute(["master"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "none"
    }

    /// `pfsyncd status --json` of fw1 or fw2, nil when it does not answer.
    func status(_ node: String) -> [String: Any]? {
        guard let data = control("status", node),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return (object["result"] as? [String: Any]) ?? object
    }

    /// `pfsyncd states --json` of fw1 or fw2: each state's JSON line by "id/creatorid"
    /// (empty when the node does not answer).
    func states(_ node: String) -> [String: String] {
        guard let data = control("states", node) else { return [:] }
        var byID: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let stateID = object["id"] as? String, let creator = object["creatorid"] as? String
            else { continue }
            byID["\(stateID)/\(creator)"] = String(line)
        }
        return byID
    }

    /// The output of `pfsyncd COMMAND --json` against fw1's or fw2's control socket, nil
    /// when it cannot run or exits non-zero.
    private func control(_ command: String, _ node: String) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [command, "--json", "--socket", "/tmp/pfsyncd-lab-\(id)/\(node).sock"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }

    /// A number inside a status object, by key path ("takeover.lost").
    static func number(_ object: [String: Any]?, _ path: String) -> Int? {
        var current: Any? = object
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return (current as? NSNumber)?.intValue
    }

    /// Tears the lab down (namespaces, daemons, nginx, directory).
    func down() {
        _ = try? execute(["down"])
    }

    /// Spawns `bash lab.sh ARGUMENTS` with LAB_ID and PFSYNCD set, output to files.
    /// posix_spawn and waitpid, not Foundation's Process: the script leaves daemons running
    /// in the background, and Process did not always notice the script's own exit then.
    private func spawn(_ arguments: [String], output: String, errors: String, extra: [String: String] = [:]) throws -> pid_t {
        let argv = ["/bin/bash", script] + arguments
        var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        environment["LAB_ID"] = id
        environment["PFSYNCD"] = binary
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = envp.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, &cEnvironment)
        guard result == 0 else { throw LabError("posix_spawn failed: \(result)") }
        return pid
    }

    /// Runs the script to its end with its output in files, then reads them.
    private func execute(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(id)-\(UUID().uuidString)").path
        defer {
            unlink(base + ".out")
            unlink(base + ".err")
        }
        let pid = try spawn(arguments, output: base + ".out", errors: base + ".err")
        let status = wait(pid)
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (status, output, errors)
    }
}

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
