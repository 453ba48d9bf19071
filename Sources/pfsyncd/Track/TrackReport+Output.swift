import PFSyncTracker

extension TrackReport {
    /// The summary as ONE JSON object with exactly the documented keys, in this order:
    /// `packets`, `bytes`, `states_created`, `states_by_proto` ("tcp", "udp", "icmp",
    /// "other"), `matched`, `out_of_window`, `no_state`, `invalid`, `expired`, `truncated`,
    /// `errors`.
    var summaryJSON: String {
        var byProto = TrackJSON()
        byProto.add("tcp", summary.statesByProto.tcp)
        byProto.add("udp", summary.statesByProto.udp)
        byProto.add("icmp", summary.statesByProto.icmp)
        byProto.add("other", summary.statesByProto.other)
        var object = TrackJSON()
        object.add("packets", summary.packets)
        object.add("bytes", summary.bytes)
        object.add("states_created", summary.statesCreated)
        object.add("states_by_proto", byProto)
        object.add("matched", summary.matched)
        object.add("out_of_window", summary.outOfWindow)
        object.add("no_state", summary.noState)
        object.add("invalid", summary.invalid)
        object.add("expired", summary.expired)
        object.add("truncated", truncated)
        object.add("errors", errors)
        return object.closed
    }

    /// The summary as aligned `name: value` lines, then the errors, one per line.
    var summaryText: String {
        let byProto = summary.statesByProto
        let rows: [(String, String)] = [
            ("packets", "\(summary.packets) (\(summary.notIP) non-IP frames not counted)"),
            ("bytes", "\(summary.bytes)"),
            ("states created", "\(summary.statesCreated) (tcp \(byProto.tcp), udp \(byProto.udp), icmp \(byProto.icmp), other \(byProto.other))"),
            ("matched", "\(summary.matched)"),
            ("out of window", "\(summary.outOfWindow)"),
            ("no state", "\(summary.noState)"),
            ("invalid", "\(summary.invalid)"),
            ("expired", "\(summary.expired)"),
            ("states at end", "\(states.count)"),
            ("truncated", truncated ? "yes" : "no"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        var lines = rows.map { name, value in
            name + ":" + String(repeating: " ", count: width - name.count + 1) + value
        }
        lines += errors.map { "error: " + $0 }
        return lines.joined(separator: "\n")
    }
}
