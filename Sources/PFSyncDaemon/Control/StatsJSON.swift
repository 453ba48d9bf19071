import PFSyncCore
import PFSyncReplication
import PFSyncTracker

/// The `pfsyncd stats` object: pfsync's counters, per-action counts and the
/// conntrackd-style views (documented key by key in README.md).
public enum StatsJSON {
    /// pfsync's own counters, in `netstat -s -p pfsync` order.
    public static let pfsyncCounters: [ReplicationCounters.Counter] = [
        .ipackets, .ipackets6, .badif, .badttl, .hdrops, .badver, .badauth, .badact, .badlen, .badval,
        .stale, .badstate, .opackets, .opackets6, .onomem, .oerrors,
    ]

    /// The stats object.
    public static func object(
        nodeID: UInt32, snapshot: EngineSnapshot, tableCount: Int, captures: [CaptureStatus]
    ) -> JSONValue {
        let c = snapshot.counters
        func n(_ counter: ReplicationCounters.Counter) -> JSONValue { .unsigned(c[counter]) }
        var actionsIn: [(String, JSONValue)] = []
        var actionsOut: [(String, JSONValue)] = []
        for (index, name) in ReplicationCounters.actionNames.enumerated() {
            actionsIn.append((name, .unsigned(c.actionsIn[index])))
            actionsOut.append((name, .unsigned(c.actionsOut[index])))
        }
        let byCreator = c.statesByCreator.sorted { $0.key < $1.key }.map { (Hex.u32($0.key), JSONValue.unsigned($0.value)) }
        let sentRatio = c[.bytesSent] > 0 ? Double(c[.rawBytesSent]) / Double(c[.bytesSent]) : 0
        let receivedRatio = c[.bytesReceived] > 0 ? Double(c[.rawBytesReceived]) / Double(c[.bytesReceived]) : 0
        let lag = snapshot.lag
        return .object([
            ("node_id", .unsigned(UInt64(nodeID))),
            ("pfsync", .object(pfsyncCounters.map { ($0.name, n($0)) })),
            ("actions", .object([("in", .object(actionsIn)), ("out", .object(actionsOut))])),
            ("table", .object([
                ("states", .unsigned(UInt64(tableCount))),
                ("created", n(.statesCreated)),
                ("updated", n(.statesUpdated)),
                ("deleted", n(.statesDeleted)),
                ("update_requests_sent", n(.updateRequestsSent)),
                ("delta_mismatches", n(.deltaMismatches)),
                ("by_creator", .object(byCreator)),
            ])),
            ("traffic", .object([
                ("frames_sent", n(.framesSent)),
                ("frames_received", n(.framesReceived)),
                ("bytes_sent", n(.bytesSent)),
                ("bytes_received", n(.bytesReceived)),
                ("raw_bytes_sent", n(.rawBytesSent)),
                ("raw_bytes_received", n(.rawBytesReceived)),
                ("messages_sent", n(.messagesSent)),
                ("messages_received", n(.messagesReceived)),
                ("compression_ratio_sent", .double(rounded(sentRatio))),
                ("compression_ratio_received", .double(rounded(receivedRatio))),
            ])),
            ("reliability", .object([
                ("lost", n(.lost)),
                ("retransmitted", n(.retransmitted)),
                ("resyncs", n(.resyncs)),
                ("duplicates", n(.duplicates)),
                ("nacks_sent", n(.nacksSent)),
                ("nacks_received", n(.nacksReceived)),
                ("acks_sent", n(.acksSent)),
                ("acks_received", n(.acksReceived)),
                ("keepalives_sent", n(.keepalivesSent)),
            ])),
            ("queues", .object([
                ("depth", .unsigned(c[.queueDepth])),
                ("max", .unsigned(c[.queueMax])),
                ("drops", n(.queueDrops)),
                ("held_frames", .unsigned(c[.heldFrames])),
            ])),
            ("bulk", .object([
                ("requests_sent", n(.bulkRequestsSent)),
                ("requests_received", n(.bulkRequestsReceived)),
                ("states_sent", n(.bulkStatesSent)),
                ("states_received", n(.bulkStatesReceived)),
                ("completed", n(.bulkCompleted)),
            ])),
            ("lag", .object([
                ("samples", .unsigned(lag.count)),
                ("p50_us", lag.percentile(0.5).map(JSONValue.unsigned) ?? .null),
                ("p99_us", lag.percentile(0.99).map(JSONValue.unsigned) ?? .null),
            ])),
            ("transport", .object([
                ("bad_source", .unsigned(snapshot.transport.badSource)),
                ("socket_errors", .unsigned(snapshot.transport.socketErrors)),
                ("socket_reopens", .unsigned(snapshot.transport.socketReopens)),
                ("fault_dropped", .unsigned(snapshot.transport.faultDropped)),
                ("fault_duplicated", .unsigned(snapshot.transport.faultDuplicated)),
                ("fault_reordered", .unsigned(snapshot.transport.faultReordered)),
                ("gso_writes", .unsigned(snapshot.transport.segmentedWrites)),
                ("gso_padding_bytes", .unsigned(snapshot.transport.paddingBytes)),
                ("gso_failures", .unsigned(snapshot.transport.segmentationFailures)),
                ("gro_reads", .unsigned(snapshot.transport.coalescedReads)),
            ])),
            ("tracker", tracker(captures.reduce(into: TrackerSummary()) { add($1.summary, to: &$0) })),
        ])
    }

    /// A tracker summary object.
    public static func tracker(_ s: TrackerSummary) -> JSONValue {
        .object([
            ("packets", .unsigned(s.packets)),
            ("bytes", .unsigned(s.bytes)),
            ("states_created", .unsigned(s.statesCreated)),
            ("states_tcp", .unsigned(s.statesByProto.tcp)),
            ("states_udp", .unsigned(s.statesByProto.udp)),
            ("states_icmp", .unsigned(s.statesByProto.icmp)),
            ("states_other", .unsigned(s.statesByProto.other)),
            ("matched", .unsigned(s.matched)),
            ("out_of_window", .unsigned(s.outOfWindow)),
            ("no_state", .unsigned(s.noState)),
            ("invalid", .unsigned(s.invalid)),
            ("not_ip", .unsigned(s.notIP)),
            ("expired", .unsigned(s.expired)),
            ("insert_failures", .unsigned(s.insertFailures)),
        ])
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    private static func add(_ s: TrackerSummary, to total: inout TrackerSummary) {
        total.packets &+= s.packets
        total.bytes &+= s.bytes
        total.statesCreated &+= s.statesCreated
        total.statesByProto.tcp &+= s.statesByProto.tcp
        total.statesByProto.udp &+= s.statesByProto.udp
        total.statesByProto.icmp &+= s.statesByProto.icmp
        total.statesByProto.other &+= s.statesByProto.other
        total.matched &+= s.matched
        total.outOfWindow &+= s.outOfWindow
        total.noState &+= s.noState
        total.invalid &+= s.invalid
        total.notIP &+= s.notIP
        total.expired &+= s.expired
        total.insertFailures &+= s.insertFailures
    }
}
