import ArgumentParser

/// `pfsyncd`: a pfsync-compatible firewall state replicator.
@main
struct PFSyncdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pfsyncd",
        abstract: "A pfsync-compatible firewall state-table replicator for Linux.",
        subcommands: [
            DecodeCommand.self, TrackCommand.self, RunCommand.self, StatsCommand.self, StatusCommand.self, StatesCommand.self,
            PromoteCommand.self, DemoteCommand.self,
        ]
    )
}
