import Foundation

/// Compares two nodes' `states --json` on what replication carries. The engine sends INS
/// (full state) for new states and UPD_CC (UPD_C plus the packet and byte counters) for
/// changes, so identity, keys, peers, timeout and counters must all match. The expiry and
/// the creation age are not compared: each side reads them on its own clock.
enum DaemonTableComparison {
    static let replicatedFields = ["id", "creatorid", "af", "proto", "direction", "key", "src", "dst", "timeout", "packets", "bytes"]

    /// The replicated fields of one state.
    static func replicated(_ state: NSDictionary) -> NSDictionary {
        let out = NSMutableDictionary()
        for field in replicatedFields { out[field] = state[field] }
        return out
    }

    /// nil when equal, else a description of the first differences.
    static func difference(_ a: [String: NSDictionary], _ b: [String: NSDictionary]) -> String? {
        let onlyA = Set(a.keys).subtracting(b.keys)
        let onlyB = Set(b.keys).subtracting(a.keys)
        var differing: [String] = []
        for (id, state) in a {
            guard let other = b[id] else { continue }
            if !replicated(state).isEqual(replicated(other)) { differing.append(id) }
        }
        if onlyA.isEmpty && onlyB.isEmpty && differing.isEmpty { return nil }
        return "\(a.count) vs \(b.count) states; only in first: \(onlyA.count), only in second: \(onlyB.count), "
            + "differing: \(differing.count) \(differing.prefix(3))"
    }
}
