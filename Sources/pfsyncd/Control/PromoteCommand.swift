import ArgumentParser
import PFSyncDaemon

/// `pfsyncd promote`: marks this node master.
struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Mark this node master (until CARP decides roles, this only changes the role in status).")

    @OptionGroup var options: ControlOptions

    func run() throws {
        let result = try options.request("promote")
        if options.json {
            options.printJSON(result)
            return
        }
        let role = result["role"]?.stringValue ?? "?"
        let changed = result["changed"]?.boolValue ?? false
        var out = OutputBuffer(descriptor: 1)
        out.append(changed ? "promoted: role is now \(role)\n" : "already \(role)\n")
        out.flush()
    }
}
