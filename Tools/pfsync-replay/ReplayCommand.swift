import ArgumentParser

/// `pfsync-replay`: replays a capture through a primary/backup pair of pfsyncd daemons.
@main
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pfsync-replay",
        abstract: "Replay a capture through a pfsyncd primary/backup pair, fail over, count sessions lost.")

    @Option(name: .long, help: "The capture to replay (pcap, pcapng, .gz).")
    var pcap: String

    func run() throws {
        throw ValidationError("pfsync-replay: replay is being built; nothing was replayed")
    }
}
