/// Scrub data of a peer (`struct pfsync_state_scrub`, 8 bytes on the wire).
public struct PeerScrub: Hashable, Sendable {
    /// pfss_flags.
    public var flags: UInt16
    /// pfss_ttl.
    public var ttl: UInt8
    /// scrub_flag (1 when the scrub data is valid).
    public var scrubFlag: UInt8
    /// pfss_ts_mod.
    public var tsMod: UInt32

    /// Creates scrub data.
    @inlinable
    public init(flags: UInt16 = 0, ttl: UInt8 = 0, scrubFlag: UInt8 = 0, tsMod: UInt32 = 0) {
        self.flags = flags
        self.ttl = ttl
        self.scrubFlag = scrubFlag
        self.tsMod = tsMod
    }

    /// No scrub data.
    public static let none = PeerScrub()
}

/// pf's TCP peer states, and the pseudo-states used for UDP and other protocols.
public enum PeerState {
    public static let closed: UInt8 = 0
    public static let listen: UInt8 = 1
    public static let synSent: UInt8 = 2
    public static let synReceived: UInt8 = 3
    public static let established: UInt8 = 4
    public static let closeWait: UInt8 = 5
    public static let finWait1: UInt8 = 6
    public static let closing: UInt8 = 7
    public static let lastAck: UInt8 = 8
    public static let finWait2: UInt8 = 9
    public static let timeWait: UInt8 = 10

    /// UDP / other: no packet from this peer yet.
    public static let noTraffic: UInt8 = 0
    /// UDP / other: one packet from this peer.
    public static let single: UInt8 = 1
    /// UDP / other: packets in both directions.
    public static let multiple: UInt8 = 2

    /// pfctl's names for TCP peer states.
    public static func tcpName(_ state: UInt8) -> String {
        let names = [
            "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT",
            "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT",
        ]
        return Int(state) < names.count ? names[Int(state)] : "UNKNOWN(\(state))"
    }

    /// pfctl's names for UDP / other pseudo-states.
    public static func pseudoName(_ state: UInt8) -> String {
        switch state {
        case 0: return "NO_TRAFFIC"
        case 1: return "SINGLE"
        case 2: return "MULTIPLE"
        default: return "UNKNOWN(\(state))"
        }
    }
}

/// One side of a connection as pf tracks it (`struct pfsync_state_peer`, 32 bytes).
public struct StatePeer: Hashable, Sendable {
    /// Scrub data.
    public var scrub: PeerScrub
    /// Lowest sequence number the peer may send (seqlo).
    public var seqLo: UInt32
    /// Highest sequence number the peer may send (seqhi).
    public var seqHi: UInt32
    /// Sequence number modulator (seqdiff).
    public var seqDiff: UInt32
    /// Largest window seen (max_win).
    public var maxWin: UInt16
    /// Maximum segment size option seen.
    public var mss: UInt16
    /// TCP state (see ``PeerState``) or UDP/other pseudo-state.
    public var state: UInt8
    /// Window scale factor; pf's PF_WSCALE_FLAG (0x80) marks "scaling negotiated".
    public var wscale: UInt8

    /// Creates a peer.
    @inlinable
    public init(
        scrub: PeerScrub = .none, seqLo: UInt32 = 0, seqHi: UInt32 = 0, seqDiff: UInt32 = 0,
        maxWin: UInt16 = 0, mss: UInt16 = 0, state: UInt8 = 0, wscale: UInt8 = 0
    ) {
        self.scrub = scrub
        self.seqLo = seqLo
        self.seqHi = seqHi
        self.seqDiff = seqDiff
        self.maxWin = maxWin
        self.mss = mss
        self.state = state
        self.wscale = wscale
    }

    /// A peer that has seen nothing.
    public static let empty = StatePeer()
}
