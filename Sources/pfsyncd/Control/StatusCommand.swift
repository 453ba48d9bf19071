import ArgumentParser
import PFSyncDaemon

/// `pfsyncd status`: role, peer, bulk update, capture.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the node's role, its peer, the bulk-update state and the capture sources.")

    @OptionGroup var options: ControlOptions

    func run() throws {
        let status = try options.request("status")
        if options.json {
            options.printJSON(status)
            return
        }
        var table = TextTable()
        for (name, value) in status.objectPairs ?? [] {
            switch value {
            case .object:
                table.heading(name)
                table.rows(of: value)
            case .array(let items):
                table.heading(name)
                for item in items {
                    table.row(item["source"]?.stringValue ?? "?", summary(of: item))
                }
            default:
                table.row(name, TextTable.text(value), indent: 0)
            }
        }
        var out = OutputBuffer(descriptor: 1)
        out.append(table.text)
        out.flush()
    }

    /// "file finished, 32665 packets, 2822 states".
    private func summary(of capture: JSONValue) -> String {
        let kind = capture["kind"]?.stringValue ?? "?"
        let phase = capture["phase"]?.stringValue ?? "?"
        let packets = capture["packets_read"]?.unsignedValue ?? 0
        let states = capture["states_created"]?.unsignedValue ?? 0
        var text = "\(kind) \(phase), \(packets) packets, \(states) states created"
        if let error = capture["error"]?.stringValue { text += " (\(error))" }
        return text
    }
}
