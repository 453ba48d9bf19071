/// The tracker's counters. Exact: every packet given to the tracker is counted in exactly
/// one verdict counter, so after a failover `noState` and `outOfWindow` measure lost
/// sessions. Invariant: `packets == created + matched + outOfWindow + noState + invalid`.
public struct TrackerSummary: Sendable, Equatable {
    /// States created, per protocol family.
    public struct ProtocolCounts: Sendable, Equatable {
        /// TCP (6).
        public var tcp: UInt64 = 0
        /// UDP (17).
        public var udp: UInt64 = 0
        /// ICMP (1) and ICMPv6 (58).
        public var icmp: UInt64 = 0
        /// Everything else.
        public var other: UInt64 = 0

        /// All zero.
        public init() {}

        /// The sum.
        public var total: UInt64 { tcp &+ udp &+ icmp &+ other }
    }

    /// IP packets seen (every verdict but ``Verdict/notIP``).
    public var packets: UInt64 = 0
    /// Their bytes (IP total length, as pf counts; wire length when the IP length is 0).
    public var bytes: UInt64 = 0
    /// Packets that created a state (equals `statesByProto.total`).
    public var statesCreated: UInt64 = 0
    /// States created per protocol.
    public var statesByProto = ProtocolCounts()
    /// Packets that matched a state.
    public var matched: UInt64 = 0
    /// Of `matched`, TCP packets accepted only by pf's looser window check.
    public var matchedLoosely: UInt64 = 0
    /// Of `matched`, ICMP errors matched through the flow they quote.
    public var matchedICMPErrors: UInt64 = 0
    /// TCP packets outside the window of their state (plus ICMP errors quoting a TCP
    /// sequence outside it).
    public var outOfWindow: UInt64 = 0
    /// Packets with no state that could not create one.
    public var noState: UInt64 = 0
    /// Of `noState`, non-first IP fragments (no transport header: pf without reassembly
    /// cannot match them to a state).
    public var fragments: UInt64 = 0
    /// Truncated or malformed packets and refused TCP flag combinations.
    public var invalid: UInt64 = 0
    /// Non-IP frames (not in `packets`).
    public var notIP: UInt64 = 0
    /// States removed because they expired.
    public var expired: UInt64 = 0
    /// Closed TCP states replaced by a new SYN on the same key (port reuse).
    public var recycled: UInt64 = 0
    /// New states the table refused (for example a key or id collision, or a full table):
    /// their packets are counted as `noState`.
    public var insertFailures: UInt64 = 0

    /// All zero.
    public init() {}

    /// The counter of one verdict.
    public func count(of verdict: Verdict) -> UInt64 {
        switch verdict {
        case .created: return statesCreated
        case .matched: return matched
        case .outOfWindow: return outOfWindow
        case .noState: return noState
        case .invalid: return invalid
        case .notIP: return notIP
        }
    }
}
