import ArgumentParser
import Logging
import PFSyncConfig
import PFSyncDaemon

/// `pfsyncd run --config FILE`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: track states, replicate them to the peer, serve the control socket.",
        discussion: """
            Reads the configuration (see pfsyncd.example.toml), loads the key file, then runs \
            the sync transport, one capture thread per source, the control socket and the \
            optional metrics endpoint until SIGTERM or SIGINT, which flush pending changes \
            before exiting. A bad configuration exits with status 2 before anything starts.

            --check reads the configuration and the key file as a start would, looks for what \
            the services would run into on this machine (missing interfaces, unreadable \
            capture files, a sync.listen address that is not local, socket directories, the \
            CARP setup), prints what would run and exits: 0 when nothing was found, 1 when \
            problems were (listed on stderr), 2 when the configuration is refused.
            """
    )

    /// The configuration file.
    @Option(name: .long, help: "The configuration file (TOML).")
    var config: String

    /// Log level.
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// Check only.
    @Flag(name: .long, help: "Check the configuration and this machine, print what would run, and exit.")
    var check = false

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level: unknown level \"\(logLevel)\" (trace, debug, info, notice, warning, error, critical)")
        }
    }

    func run() async throws {
        let text: String
        switch ConfigFile.read(path: config) {
        case .success(let contents): text = contents
        case .failure(let error):
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(2)
        }
        let parsed: DaemonConfig
        do {
            parsed = try DaemonConfig.parse(text)
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(2)
        }
        let plan: DaemonPlan
        do {
            plan = try DaemonPlan(config: parsed, epoch: check ? DaemonClock.wallSeconds() : epoch(for: parsed))
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(2)
        }
        if check {
            try report(plan: plan)
            return
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pfsyncd")
        do {
            try await Daemon.run(plan: plan, logger: logger)
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(1)
        }
    }

    /// This start's epoch: larger than the last start's, even within the same second.
    private func epoch(for config: DaemonConfig) -> UInt32 {
        let path = EpochFile.path(controlSocket: config.controlSocket)
        let (epoch, problem) = EpochFile.next(path: path, now: DaemonClock.wallSeconds())
        if let problem { OutputBuffer.standardError("pfsyncd: warning: \(problem); the epoch is the start time") }
        return epoch
    }

    /// `--check`: the plan on stdout, the problems on stderr (exit 1 when there are any).
    private func report(plan: DaemonPlan) throws {
        var output = OutputBuffer(descriptor: 1)
        output.append("pfsyncd: \(config): configuration accepted\n")
        for line in StartupCheck.summary(plan: plan) { output.append("  \(line)\n") }
        output.flush()
        let problems = StartupCheck.problems(plan: plan)
        for problem in problems { OutputBuffer.standardError("pfsyncd: problem: \(problem)") }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
