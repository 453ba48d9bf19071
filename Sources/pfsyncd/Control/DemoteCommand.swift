import ArgumentParser
import PFSyncDaemon

/// `pfsyncd demote [N]`: sets this node's manual CARP demotion, so every virtual host
/// advertises as less preferred and a peer takes over. `pfsyncd promote` clears it.
struct DemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demote",
        abstract: "Set the manual CARP demotion (default 240: lose every election; 0 clears it, as promote does).")

    @Argument(help: "The demotion, 0 to 255.")
    var value: Int = CARPControl.defaultDemotion

    @OptionGroup var options: ControlOptions

    func validate() throws {
        guard (0...255).contains(value) else { throw ValidationError("the demotion must be 0 to 255") }
    }

    func run() throws {
        let result: JSONValue
        do {
            result = try ControlClient.request(
                path: options.socket, command: "demote", arguments: [("value", .unsigned(UInt64(value)))])
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(1)
        }
        if options.json {
            options.printJSON(result)
            return
        }
        let demotion = result["demotion"]?.unsignedValue ?? 0
        let role = result["role"]?.stringValue ?? "?"
        var out = OutputBuffer(descriptor: 1)
        out.append("CARP demotion is now \(demotion) (role \(role))\n")
        out.flush()
    }
}
