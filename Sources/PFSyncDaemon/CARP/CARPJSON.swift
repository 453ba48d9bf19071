import PFSyncCARP

/// The "carp" object of `stats` and `status`.
public enum CARPJSON {
    /// The CARP view: role, demotion, split brain, each virtual host, and the counters.
    public static func object(_ snapshot: CARPMonitor.Snapshot) -> JSONValue {
        .object([
            ("role", .string(snapshot.role)),
            ("demotion", .unsigned(UInt64(snapshot.demotion))),
            ("demotion_reasons", .object(snapshot.demotionParts.sorted { $0.key < $1.key }.map { ($0.key, .unsigned(UInt64($0.value))) })),
            ("split_brain", .bool(snapshot.splitBrain)),
            ("vhosts", .array(snapshot.hosts.map(host))),
            ("counters", .object(snapshot.counters.named.map { ($0.0, .unsigned($0.1)) })),
        ])
    }

    /// `value` (an object) with a "carp" member added when `role` has CARP; otherwise `value`.
    public static func adding(to value: JSONValue, role: NodeRole) -> JSONValue {
        guard let carp = role.carp, case var .object(pairs) = value else { return value }
        pairs.append(("carp", object(carp.current)))
        return .object(pairs)
    }

    private static func host(_ host: CARPMonitor.Host) -> JSONValue {
        .object([
            ("vhid", .unsigned(UInt64(host.vhid))),
            ("interface", .string(host.interface)),
            ("state", .string(host.state.rawValue)),
            ("master", host.master.map(JSONValue.string) ?? .null),
            ("split_brain", .bool(host.splitBrain)),
            ("advbase", .unsigned(UInt64(host.advbase))),
            ("advskew", .unsigned(UInt64(host.advskew))),
            ("vip", .array(host.addresses.map(JSONValue.string))),
        ])
    }
}
