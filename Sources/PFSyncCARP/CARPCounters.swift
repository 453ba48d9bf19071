/// CARP's counters (OpenBSD `netstat -s -p carp` names where they exist).
public struct CARPCounters: Sendable, Hashable {
    /// Advertisements received (valid or not).
    public var ipackets: UInt64 = 0
    /// Advertisements sent.
    public var opackets: UInt64 = 0
    /// Send failures.
    public var oerrors: UInt64 = 0
    /// Truncated or inconsistent IPv4 headers.
    public var hdrops: UInt64 = 0
    /// TTL not 255.
    public var badttl: UInt64 = 0
    /// CARP payload too short.
    public var badlen: UInt64 = 0
    /// Wrong CARP version or type.
    public var badver: UInt64 = 0
    /// Bad checksum.
    public var badsum: UInt64 = 0
    /// Unknown vhid.
    public var badvhid: UInt64 = 0
    /// HMAC mismatch (wrong password, different addresses).
    public var badauth: UInt64 = 0
    /// Our own advertisements seen again.
    public var ownLoop: UInt64 = 0
    /// Transitions to master.
    public var becameMaster: UInt64 = 0
    /// Transitions to backup.
    public var becameBackup: UInt64 = 0
    /// Split-brain episodes (this node master while a peer keeps advertising as master).
    public var splitBrain: UInt64 = 0

    /// Zero counters.
    public init() {}

    /// Counts one dropped packet under its reason.
    public mutating func record(_ error: CARPInputError) {
        switch error {
        case .badIPHeader, .notCARP: hdrops &+= 1
        case .badTTL: badttl &+= 1
        case .badLength: badlen &+= 1
        case .badVersion, .badType: badver &+= 1
        case .badChecksum: badsum &+= 1
        case .badVHID: badvhid &+= 1
        case .badAuthentication: badauth &+= 1
        case .ownAdvertisement: ownLoop &+= 1
        }
    }

    /// Name/value pairs in a fixed order (for `stats`).
    public var named: [(String, UInt64)] {
        [
            ("ipackets", ipackets), ("opackets", opackets), ("oerrors", oerrors), ("hdrops", hdrops),
            ("badttl", badttl), ("badlen", badlen), ("badver", badver), ("badsum", badsum), ("badvhid", badvhid),
            ("badauth", badauth), ("own_loop", ownLoop), ("became_master", becameMaster),
            ("became_backup", becameBackup), ("split_brain", splitBrain),
        ]
    }
}
