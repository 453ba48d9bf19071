import ArgumentParser
import PFSyncCore
import PFSyncDaemon
import PFSyncTracker

/// `pfsyncd states`: the table, like `pfctl -ss`.
struct StatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "states",
        abstract: "List the state table like pfctl -ss (--json: one object per state per line).")

    @OptionGroup var options: ControlOptions

    func run() throws {
        let result = try options.request("states")
        let states = result["states"]?.arrayValue ?? []
        var out = OutputBuffer(descriptor: 1)
        for state in states {
            if options.json {
                var bytes: [UInt8] = []
                state.write(into: &bytes)
                bytes.append(0x0A)
                out.append(bytes)
            } else {
                out.append(Self.line(state) + "\n")
            }
        }
        out.flush()
    }

    /// `all tcp 10.0.0.2:80 <- 10.0.0.1:40000       ESTABLISHED:ESTABLISHED`.
    static func line(_ state: JSONValue) -> String {
        let ifname = state["ifname"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "all"
        let proto = state["proto"]?.unsignedValue ?? 0
        let key = state["key"]?.arrayValue?.first
        let addresses = key?["addr"]?.arrayValue?.map { $0.stringValue ?? "?" } ?? ["?", "?"]
        let ports = key?["port"]?.arrayValue?.map { $0.unsignedValue ?? 0 } ?? [0, 0]
        let inet6 = state["af"]?.stringValue == "inet6"
        func endpoint(_ index: Int) -> String {
            let address = index < addresses.count ? addresses[index] : "?"
            let port = index < ports.count ? ports[index] : 0
            if proto == 1 || proto == 58 { return inet6 ? "\(address)[\(port)]" : "\(address):\(port)" }
            return inet6 ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        let flow = state["direction"]?.stringValue == "out"
            ? "\(endpoint(0)) -> \(endpoint(1))" : "\(endpoint(1)) <- \(endpoint(0))"
        let head = "\(ifname) \(IPProtocol.name(proto)) \(flow)"
        let pad = String(repeating: " ", count: max(1, 56 - head.count))
        return head + pad + peerStates(state, proto: proto)
    }

    private static func peerStates(_ state: JSONValue, proto: UInt64) -> String {
        let src = UInt8(clamping: state["src"]?["state"]?.unsignedValue ?? 0)
        let dst = UInt8(clamping: state["dst"]?["state"]?.unsignedValue ?? 0)
        switch proto {
        case 6: return "\(PeerState.tcpName(src)):\(PeerState.tcpName(dst))"
        case 1, 58: return "\(src):\(dst)"
        default: return "\(PeerState.pseudoName(src)):\(PeerState.pseudoName(dst))"
        }
    }
}
