import Foundation
import PFSyncCore

#if canImport(Glibc)
import Glibc
#endif

/// One end of a flow: address and port (ICMP: the echo id).
struct FlowEndpoint: Hashable, Comparable, CustomStringConvertible {
    var address: IPAddress
    var port: UInt16
    var inet6: Bool

    static func < (lhs: FlowEndpoint, rhs: FlowEndpoint) -> Bool {
        (lhs.address.high, lhs.address.low, lhs.port) < (rhs.address.high, rhs.address.low, rhs.port)
    }

    var description: String { "\(address.formatted(inet6 ? .inet6 : .inet)):\(port)" }
}

/// A flow without direction: the protocol and its two endpoints in a fixed order. This
/// is what tshark's conversation tables count (an address/port 4-tuple per protocol).
struct FlowTuple: Hashable, CustomStringConvertible {
    var proto: UInt8
    var low: FlowEndpoint
    var high: FlowEndpoint

    init(proto: UInt8, _ a: FlowEndpoint, _ b: FlowEndpoint) {
        self.proto = proto
        self.low = min(a, b)
        self.high = max(a, b)
    }

    var description: String { "\(proto) \(low) <-> \(high)" }
}

/// Runs the real tshark (an independent dissector) and reads its output.
enum TShark {
    /// tshark's path, or nil when it is not installed (Tools/install-deps.sh --test).
    static let path: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark", "/usr/sbin/tshark"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool { path != nil }

    enum Failure: Error, CustomStringConvertible {
        case missing
        case failed(arguments: [String], status: Int32, stderr: String)
        case unparsable(String)

        var description: String {
            switch self {
            case .missing: return "tshark is not installed"
            case let .failed(arguments, status, stderr): return "tshark \(arguments) exited \(status): \(stderr)"
            case let .unparsable(line): return "cannot parse tshark line: \(line)"
            }
        }
    }

    /// tshark's standard output for `arguments` (no name resolution).
    static func run(_ arguments: [String]) throws -> String {
        guard let path else { throw Failure.missing }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-n"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.failed(arguments: arguments, status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// Packets a tracker cannot create or match a flow from, excluded on tshark's side:
    /// ICMP errors (tshark counts the headers they quote as conversations; the tracker
    /// matches them to the quoted flow), and TCP segments with flag combinations the
    /// tracker refuses as invalid (`TCPFlagPolicy`: SYN with RST or FIN; neither SYN, ACK
    /// nor RST; FIN, PSH or URG without ACK).
    static let trackableFilter = "!(icmp.type == 3 || icmp.type == 4 || icmp.type == 5 || icmp.type == 11 || icmp.type == 12)"
        + " && !(icmpv6.type == 1 || icmpv6.type == 2 || icmpv6.type == 3 || icmpv6.type == 4)"
        + " && (!tcp || (((tcp.flags.syn == 1 && tcp.flags.reset == 0 && tcp.flags.fin == 0)"
        + " || (tcp.flags.syn == 0 && (tcp.flags.ack == 1 || tcp.flags.reset == 1)))"
        + " && (tcp.flags.ack == 1 || (tcp.flags.fin == 0 && tcp.flags.push == 0 && tcp.flags.urg == 0))))"

    /// The conversations of `proto` ("tcp" or "udp") in tshark's table, from the packets
    /// ``trackableFilter`` keeps.
    static func conversations(_ proto: String, file: String) throws -> [FlowTuple] {
        let number: UInt8 = proto == "tcp" ? 6 : 17
        let text = try run(["-q", "-r", file, "-z", "conv,\(proto),\(trackableFilter)"])
        return try text.split(separator: "\n").filter { $0.contains("<->") }.map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[1] == "<->",
                  let a = endpoint(fields[0]), let b = endpoint(fields[2])
            else { throw Failure.unparsable(String(line)) }
            return FlowTuple(proto: number, a, b)
        }
    }

    /// `10.0.0.1:80` or `2001:db8::1:443` (the port after the last colon).
    static func endpoint(_ text: Substring) -> FlowEndpoint? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        return address(String(text[..<colon])).map { FlowEndpoint(address: $0.0, port: port, inet6: $0.1) }
    }

    /// An IPv4 or IPv6 address in the tracker's 16-byte form, and whether it is IPv6.
    static func address(_ text: String) -> (IPAddress, Bool)? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return (IPAddress(bytes: bytes.prefix(4)), false) }
        if inet_pton(AF_INET6, text, &bytes) == 1 { return (IPAddress(bytes: bytes), true) }
        return nil
    }
}
