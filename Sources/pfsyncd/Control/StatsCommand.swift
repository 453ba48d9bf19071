import ArgumentParser
import PFSyncDaemon

/// `pfsyncd stats`: every pfsync counter and the replication views.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print pfsync's counters, per-action counts and the table, traffic, reliability, queue and lag views.")

    @OptionGroup var options: ControlOptions

    func run() throws {
        let stats = try options.request("stats")
        if options.json {
            options.printJSON(stats)
            return
        }
        var table = TextTable()
        for (section, value) in stats.objectPairs ?? [] {
            guard case .object = value else {
                table.row(section, TextTable.text(value), indent: 0)
                continue
            }
            table.heading(section)
            table.rows(of: value)
        }
        var out = OutputBuffer(descriptor: 1)
        out.append(table.text)
        out.flush()
    }
}
