#if canImport(Glibc)
import Glibc
#endif

/// Runs external commands (`ip`, `arping`, the up/down scripts) and waits for them.
enum CARPCommandRunner {
    /// Where commands without a slash are looked up (the daemon's PATH may lack sbin).
    static let searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// Runs `arguments` (the first is the program) and returns its exit status, or a
    /// negative value when it could not be started. `quiet` sends its output to /dev/null.
    static func run(_ arguments: [String], quiet: Bool) -> Int32 {
        guard let program = arguments.first, let path = resolve(program) else { return -1 }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var pid = pid_t()
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return -2 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -3 }
        }
        // WIFEXITED / WEXITSTATUS by hand (macros do not import).
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    private static func resolve(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        for directory in searchPath {
            let candidate = directory + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
