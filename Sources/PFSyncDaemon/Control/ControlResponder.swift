import NIOCore
import PFSyncCore

/// Answers control-socket requests (`{"command": "stats"}` and so on) with one JSON
/// object: `{"ok": true, "result": ...}` or `{"ok": false, "error": "..."}`.
public final class ControlResponder: Sendable {
    /// The commands understood.
    public static let commands = ["stats", "status", "states", "promote", "demote"]

    private let nodeID: UInt32
    private let epoch: UInt32
    private let peerAddress: String
    private let table: StateTable
    private let role: NodeRole
    private let captures: CaptureMonitor
    private let snapshot: @Sendable () -> EventLoopFuture<EngineSnapshot>
    private let startedNanos: UInt64

    /// Creates a responder. `snapshot` fetches the engine's view from its event loop.
    public init(
        nodeID: UInt32, epoch: UInt32, peerAddress: String, table: StateTable, role: NodeRole,
        captures: CaptureMonitor, snapshot: @escaping @Sendable () -> EventLoopFuture<EngineSnapshot>
    ) {
        self.nodeID = nodeID
        self.epoch = epoch
        self.peerAddress = peerAddress
        self.table = table
        self.role = role
        self.captures = captures
        self.snapshot = snapshot
        self.startedNanos = DaemonClock.monotonicNanos()
    }

    /// The response to one request line.
    public func respond(to line: [UInt8], on loop: any EventLoop) -> EventLoopFuture<JSONValue> {
        let request: JSONValue
        do {
            request = try JSONParser.parse(line)
        } catch {
            return loop.makeSucceededFuture(Self.failure("bad request: \(error)"))
        }
        guard let command = request["command"]?.stringValue else {
            return loop.makeSucceededFuture(Self.failure("bad request: no \"command\" string"))
        }
        switch command {
        case "stats":
            let (nodeID, table, captures, role) = (self.nodeID, self.table, self.captures, self.role)
            return snapshot().map { snapshot in
                Self.success(CARPJSON.adding(to:
                    StatsJSON.object(
                        nodeID: nodeID, snapshot: snapshot, tableCount: table.count, captures: captures.current), role: role))
            }.hop(to: loop)
        case "status":
            let (nodeID, epoch, role, peer, table, captures) = (
                self.nodeID, self.epoch, self.role, self.peerAddress, self.table, self.captures
            )
            let uptime = Double(DaemonClock.monotonicNanos() &- startedNanos) / 1e9
            return snapshot().map { snapshot in
                Self.success(CARPJSON.adding(to:
                    StatusJSON.object(
                        nodeID: nodeID, epoch: epoch, role: role, peerAddress: peer, snapshot: snapshot,
                        tableCount: table.count, captures: captures.current, uptimeSeconds: uptime), role: role))
            }.hop(to: loop)
        case "states":
            let now = DaemonClock.wallSeconds()
            let states = table.allStates().sorted { $0.identity < $1.identity }
            return loop.makeSucceededFuture(
                Self.success(.object([("states", .array(states.map { StateJSON.object($0, now: now) }))])))
        case "promote":
            let changed = role.promote()
            CARPControl.promote(role: role)
            return loop.makeSucceededFuture(
                Self.success(.object([("role", .string(role.name)), ("changed", .bool(changed))])))
        case "demote":
            return loop.makeSucceededFuture(CARPControl.demote(request, role: role))
        default:
            return loop.makeSucceededFuture(
                Self.failure("unknown command \"\(command)\" (known: \(Self.commands.joined(separator: ", ")))"))
        }
    }

    static func success(_ result: JSONValue) -> JSONValue {
        .object([("ok", .bool(true)), ("result", result)])
    }

    static func failure(_ message: String) -> JSONValue {
        .object([("ok", .bool(false)), ("error", .string(message))])
    }
}
