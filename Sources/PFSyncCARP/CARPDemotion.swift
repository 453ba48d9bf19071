/// The demotion counter shared by all virtual hosts of a node: a sum of reasons, clamped
/// to 0...255. A higher value makes the node less preferred (it is sent in the demote
/// byte and added to the advertised skew, so UCarp, which ignores the byte, sees it too).
public struct CARPDemotion: Sendable, Hashable {
    /// Why the node is demoted.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// `pfsyncd demote N` from the operator.
        case manual
        /// The bulk update (the state table) is not complete yet.
        case bulk
        /// Graceful shutdown: hand the addresses to the peer.
        case shutdown
        /// The CARP interface has no link or sending fails.
        case interface
    }

    private var parts: [Reason: Int] = [:]

    /// No demotion.
    public init() {}

    /// The contribution of `reason`.
    public subscript(reason: Reason) -> Int {
        get { parts[reason] ?? 0 }
        set { parts[reason] = max(0, min(newValue, 255)) }
    }

    /// The total, clamped to 0...255.
    public var total: UInt8 {
        UInt8(min(255, parts.values.reduce(0, +)))
    }
}
