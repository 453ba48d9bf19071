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
            """
    )

    /// The configuration file.
    @Option(name: .long, help: "The configuration file (TOML).")
    var config: String

    /// Log level.
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

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
            plan = try DaemonPlan(config: parsed)
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(2)
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
}
