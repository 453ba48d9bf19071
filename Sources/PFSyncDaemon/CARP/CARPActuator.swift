import Logging
import NIOCore
import NIOPosix
import PFSyncCARP

/// Performs the side effects of CARP transitions on one worker thread, strictly in the
/// order they were asked for, never two at once: adding and removing virtual addresses
/// (`ip addr`), gratuitous ARP (`arping -U`), and the up/down scripts (`<if> <vip>`, as
/// UCarp calls them). The event loop never waits for them.
final class CARPActuator: Sendable {
    private let pool: NIOThreadPool
    private let upScript: String?
    private let downScript: String?
    private let logger: Logger

    /// A started actuator.
    init(upScript: String?, downScript: String?, logger: Logger) {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        self.upScript = upScript
        self.downScript = downScript
        self.logger = logger
    }

    /// Adds the host's addresses to its interface.
    func addAddresses(_ host: CARPHostPlan) {
        let jobs = host.prefixes.map { ["ip", "-4", "addr", "replace", "\($0.address)/\($0.length)", "dev", host.interface] }
        enqueue(jobs, quiet: true, what: "add virtual address")
    }

    /// Removes the host's addresses from its interface (absent ones are fine).
    func removeAddresses(_ host: CARPHostPlan, quiet: Bool) {
        let jobs = host.prefixes.map { ["ip", "-4", "addr", "del", "\($0.address)/\($0.length)", "dev", host.interface] }
        enqueue(jobs, quiet: true, what: quiet ? nil : "remove virtual address")
    }

    /// Announces the host's addresses with one gratuitous ARP each.
    func announce(_ host: CARPHostPlan) {
        let jobs = host.prefixes.map {
            ["arping", "-q", "-U", "-c", "1", "-I", host.interface, "-s", "\($0.address)", "\($0.address)"]
        }
        enqueue(jobs, quiet: true, what: "gratuitous ARP")
    }

    /// Runs the up script (becoming master) or the down script (leaving master) once per address.
    func runScript(up: Bool, host: CARPHostPlan) {
        guard let script = up ? upScript : downScript else { return }
        let jobs = host.prefixes.map { [script, host.interface, "\($0.address)"] }
        enqueue(jobs, quiet: false, what: up ? "up script" : "down script")
    }

    /// Completes when every job asked for so far has run.
    func drained(on loop: any EventLoop) -> EventLoopFuture<Void> {
        pool.runIfActive(eventLoop: loop) {}
    }

    /// Stops the worker after the queued jobs.
    func shutdown() async {
        try? await pool.shutdownGracefully()
    }

    private func enqueue(_ jobs: [[String]], quiet: Bool, what: String?) {
        let logger = self.logger
        pool.submit { state in
            guard state == .active else { return }
            for job in jobs {
                let status = CARPCommandRunner.run(job, quiet: quiet)
                if status != 0, let what {
                    logger.warning("CARP: \(what) failed", metadata: ["command": "\(job.joined(separator: " "))", "status": "\(status)"])
                }
            }
        }
    }
}
