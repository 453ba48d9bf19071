import ArgumentParser
import PFSyncDaemon

/// The options every control command shares.
struct ControlOptions: ParsableArguments {
    /// The daemon's control socket.
    @Option(name: .long, help: "The daemon's control socket ([control] socket in its config).")
    var socket: String = "/run/pfsyncd.sock"

    /// JSON output.
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    /// Sends `command` and returns the result, or prints the one-line error and exits 1.
    func request(_ command: String) throws -> JSONValue {
        do {
            return try ControlClient.request(path: socket, command: command)
        } catch {
            OutputBuffer.standardError("pfsyncd: \(error)")
            throw ExitCode(1)
        }
    }

    /// Prints `value` as one JSON line.
    func printJSON(_ value: JSONValue) {
        var out = OutputBuffer(descriptor: 1)
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        bytes.append(0x0A)
        out.append(bytes)
        out.flush()
    }
}
