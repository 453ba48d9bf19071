#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PFSyncReplication

/// The `pfsyncd status` object.
public enum StatusJSON {
    /// The status object.
    public static func object(
        nodeID: UInt32, epoch: UInt32, role: NodeRole, peerAddress: String, snapshot: EngineSnapshot,
        tableCount: Int, captures: [CaptureStatus], uptimeSeconds: Double
    ) -> JSONValue {
        let status = snapshot.status
        let lastFrame: JSONValue = status.lastFrameNanos.map { last in
            let ago = snapshot.takenNanos >= last ? snapshot.takenNanos - last : 0
            return .double((Double(ago) / 1e4).rounded() / 100)
        } ?? .null
        let bulk = status.bulk
        let pid = JSONValue.unsigned(UInt64(clamping: Int64(getpid())))
        let feed: JSONValue = captures.first(where: \.isFeed).map { .string($0.name) } ?? .null
        return .object([
            ("node_id", .unsigned(UInt64(nodeID))),
            ("pid", pid),
            ("epoch", .unsigned(UInt64(epoch))),
            ("mode", .string(snapshot.mode)),
            ("role", .string(role.name)),
            ("promoted", .bool(role.isPromoted)),
            ("uptime_s", .double((uptimeSeconds * 10).rounded() / 10)),
            ("peer", .object([
                ("address", .string(peerAddress)),
                ("id", status.peerID.map { .unsigned(UInt64($0)) } ?? .null),
                ("epoch", status.peerEpoch.map { .unsigned(UInt64($0)) } ?? .null),
                ("alive", .bool(status.peerAlive)),
                ("last_frame_ms_ago", lastFrame),
            ])),
            ("sequence", .object([
                ("sent", .unsigned(status.sentSequence)),
                ("expected", .unsigned(status.expectedSequence)),
            ])),
            ("bulk", .object([
                ("incoming", .string(bulk.incoming.rawValue)),
                ("states_received", .unsigned(bulk.statesReceived)),
                ("tries", .unsigned(UInt64(max(0, bulk.tries)))),
                ("last_duration_ms", bulk.lastDurationMilliseconds.map { .double(($0 * 100).rounded() / 100) } ?? .null),
                ("sending", .bool(bulk.sending)),
                ("states_sent", .unsigned(bulk.statesSent)),
                ("shards_done", .unsigned(UInt64(max(0, bulk.shardsDone)))),
                ("shard_count", .unsigned(UInt64(max(0, bulk.shardCount)))),
            ])),
            ("table", .object([("states", .unsigned(UInt64(tableCount)))])),
            ("capture", .array(captures.map(capture))),
            ("feed", feed),
            ("takeover", takeover(role.audit, now: snapshot.takenNanos)),
        ])
    }

    /// Sessions judged since this node last became master (see ``TakeoverAudit``).
    private static func takeover(_ audit: TakeoverAudit?, now: UInt64) -> JSONValue {
        guard let audit, let armed = audit.armedAtNanos else { return .null }
        let since = now >= armed ? Double(now - armed) / 1e9 : 0
        var pairs: [(String, JSONValue)] = [("since_s", .double((since * 10).rounded() / 10))]
        for figure in TakeoverAudit.Figure.allCases {
            pairs.append((figure.name, .unsigned(audit.value(figure))))
        }
        pairs.append(("lost", .unsigned(audit.lostStrict)))
        pairs.append(("lost_sloppy", .unsigned(audit.value(.lostNoState))))
        pairs.append(("dropped_sessions", .array(audit.droppedSessions.map(JSONValue.string))))
        return .object(pairs)
    }

    private static func capture(_ status: CaptureStatus) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("source", .string(status.name)),
            ("kind", .string(kind(status))),
            ("phase", .string(status.phase.rawValue)),
            ("packets_read", .unsigned(status.packetsRead)),
            ("states_created", .unsigned(status.summary.statesCreated)),
            ("tracker", StatsJSON.tracker(status.summary)),
            ("error", status.error.map(JSONValue.string) ?? .null),
        ]
        if status.isInterface {
            pairs.append(("kernel_dropped", status.kernelDropped.map(JSONValue.unsigned) ?? .null))
            pairs.append(("interface_dropped", status.interfaceDropped.map(JSONValue.unsigned) ?? .null))
        }
        if status.isFeed {
            pairs.append(("connections", .unsigned(status.feedConnections)))
            pairs.append(("feed_errors", .unsigned(status.feedErrors)))
        }
        return .object(pairs)
    }

    private static func kind(_ status: CaptureStatus) -> String {
        if status.isFeed { return "feed" }
        return status.isFile ? "file" : "interface"
    }
}
