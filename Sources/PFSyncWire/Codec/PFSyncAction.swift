/// Action numbers of the pfsync sub-header and the fixed message sizes (internal).
enum PFSyncAction {
    static let clear: UInt8 = 0
    static let insert1301: UInt8 = 1
    static let insertAck: UInt8 = 2
    static let update1301: UInt8 = 3
    static let compressedUpdate: UInt8 = 4
    static let updateRequest: UInt8 = 5
    static let delete: UInt8 = 6
    static let compressedDelete: UInt8 = 7
    static let bulkStatus: UInt8 = 10
    /// FreeBSD's TDB (48 bytes); an old, unused action in OpenBSD.
    static let freeBSDTDB: UInt8 = 11
    static let eof: UInt8 = 12
    /// FreeBSD INS_1400 / OpenBSD INS.
    static let insert: UInt8 = 13
    /// FreeBSD UPD_1400 / OpenBSD UPD.
    static let update: UInt8 = 14
    /// FreeBSD INS_1500 (FreeBSD 15) / OpenBSD TDB (52 bytes).
    static let insert1500OrOpenBSDTDB: UInt8 = 15
    /// FreeBSD UPD_1500 (FreeBSD 15).
    static let update1500: UInt8 = 16
    /// pfsyncd extension, only inside pfsyncd sync frames: UPD_C plus counters (UPD_CC).
    static let counterUpdate: UInt8 = 240
}

/// Sizes in bytes of the wire structures (internal).
enum PFSyncSize {
    static let header = 20
    static let subHeader = 4
    static let peer = 32
    static let clear = 20
    static let insertAck = 12
    static let compressedUpdate = 84
    static let counterUpdate = 116
    static let updateRequest = 12
    static let compressedDelete = 12
    static let bulkStatus = 12
    static let freeBSDTDB = 48
    static let openBSDTDB = 52
    static let eof = 0
}

/// pf limits the receivers check (internal).
enum PFLimit {
    /// PF_TCPS_PROXY_DST: the highest valid peer state.
    static let maxPeerState: UInt8 = 12
    /// PFTM_MAX on FreeBSD 14+ (SCTP timeouts added): a timeout must be below it.
    static let freeBSDTimeoutLimit: UInt8 = 25
    /// PFTM_MAX on OpenBSD.
    static let openBSDTimeoutLimit: UInt8 = 20
    /// PF_OUT: the highest valid direction (0 = PF_INOUT is accepted, as pf does).
    static let maxDirection: UInt8 = 2

    /// The timeout limit of a dialect.
    static func timeoutLimit(_ version: PFSyncVersion) -> UInt8 {
        version == .freeBSD ? freeBSDTimeoutLimit : openBSDTimeoutLimit
    }
}
