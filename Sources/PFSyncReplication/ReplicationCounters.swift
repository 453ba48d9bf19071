/// Every counter the replication engine keeps, as plain numbers owned by the engine's
/// thread (no atomics on the hot path). The engine publishes a copy through
/// ``ReplicationStats`` for readers on other threads.
public struct ReplicationCounters: Sendable, Hashable {
    /// Monotonic counters. pfsync's own keep their `netstat -s -p pfsync` names.
    public enum Counter: Int, CaseIterable, Sendable {
        case ipackets, ipackets6, badif, badttl, hdrops, badver, badauth, badact, badlen, badval
        case stale, badstate, opackets, opackets6, onomem, oerrors
        // Table view.
        case statesCreated, statesUpdated, statesDeleted, updateRequestsSent
        // Traffic view.
        case framesSent, framesReceived, bytesSent, bytesReceived, rawBytesSent, rawBytesReceived
        case messagesSent, messagesReceived
        // Reliability view.
        case lost, retransmitted, resyncs, duplicates, nacksSent, nacksReceived
        case acksSent, acksReceived, keepalivesSent
        // Queues.
        case queueDrops
        // Bulk.
        case bulkRequestsSent, bulkRequestsReceived, bulkStatesSent, bulkStatesReceived, bulkCompleted
        // Delta updates: ones whose base did not match (each asks for the full state).
        case deltaMismatches

        /// The name in `pfsyncd stats` (snake_case; pfsync's own names unchanged).
        public var name: String { snakeCase(String(describing: self)) }
    }

    /// Values that go up and down.
    public enum Gauge: Int, CaseIterable, Sendable {
        case queueDepth, queueMax, lagMicroseconds, heldFrames
        /// The name in `pfsyncd stats`.
        public var name: String { snakeCase(String(describing: self)) }
    }

    /// pfsync action names for the per-action in/out counts.
    public static let actionNames = [
        "CLR", "INS", "INS_ACK", "UPD", "UPD_C", "UPD_REQ", "DEL", "DEL_C", "BUS", "TDB", "EOF", "UPD_D",
    ]

    /// UPD_D's index in ``actionNames``: pfsyncd's delta update (`DeltaUpdate`).
    public static let deltaUpdateActionIndex = 11

    private var counters = [UInt64](repeating: 0, count: Counter.allCases.count)
    private var gauges = [UInt64](repeating: 0, count: Gauge.allCases.count)
    /// Messages received per action (index: ``actionNames``).
    public private(set) var actionsIn = [UInt64](repeating: 0, count: actionNames.count)
    /// Messages sent per action.
    public private(set) var actionsOut = [UInt64](repeating: 0, count: actionNames.count)
    /// States received per creator id.
    public var statesByCreator: [UInt32: UInt64] = [:]

    /// Zeroed counters.
    public init() {}

    /// Reads or changes a counter.
    public subscript(_ counter: Counter) -> UInt64 {
        get { counters[counter.rawValue] }
        set { counters[counter.rawValue] = newValue }
    }

    /// Reads or changes a gauge.
    public subscript(_ gauge: Gauge) -> UInt64 {
        get { gauges[gauge.rawValue] }
        set { gauges[gauge.rawValue] = newValue }
    }

    /// Counts one message of action `index` (see ``actionNames``).
    @inline(__always)
    public mutating func countAction(_ index: Int, incoming: Bool, _ amount: UInt64 = 1) {
        if incoming { actionsIn[index] &+= amount } else { actionsOut[index] &+= amount }
    }
}

/// "statesCreated" -> "states_created".
func snakeCase(_ name: String) -> String {
    var out = ""
    for character in name {
        if character.isUppercase {
            out.append("_")
            out.append(Character(character.lowercased()))
        } else {
            out.append(character)
        }
    }
    return out
}
