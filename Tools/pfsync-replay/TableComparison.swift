import PFSyncDaemon

/// Compares two daemons' `states` on what replication carries: identity, keys, peers,
/// timeout and counters (not the expiry or the age, which each side reads on its own clock).
enum TableComparison {
    static let replicatedFields = ["id", "creatorid", "af", "proto", "direction", "key", "src", "dst", "timeout", "packets", "bytes"]

    /// nil when equal, else a short description of the differences.
    static func difference(_ first: JSONValue, _ second: JSONValue) -> String? {
        let a = table(first), b = table(second)
        let onlyA = a.keys.filter { b[$0] == nil }.count
        let onlyB = b.keys.filter { a[$0] == nil }.count
        let differing = a.filter { id, state in b[id].map { $0 != state } ?? false }.count
        if onlyA == 0 && onlyB == 0 && differing == 0 { return nil }
        return "\(a.count) vs \(b.count) states; only on the primary: \(onlyA), only on the backup: \(onlyB), differing: \(differing)"
    }

    /// The replicated fields of every state, by "id/creatorid".
    static func table(_ states: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for state in states["states"]?.arrayValue ?? [] {
            let id = (state["id"]?.stringValue ?? "?") + "/" + (state["creatorid"]?.stringValue ?? "?")
            result[id] = .object(replicatedFields.map { ($0, state[$0] ?? .null) })
        }
        return result
    }
}
