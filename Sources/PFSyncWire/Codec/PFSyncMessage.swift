import PFSyncCore

/// One pfsync message, in either version.
///
/// Full states carry their times in the wire reading (``PFState/creation`` = age in
/// seconds, ``PFState/expire`` = seconds remaining); see ``PFState/withLocalTimes(now:)``.
///
/// The full-state cases are `indirect` (boxed): a `PFState` is 384 bytes, and keeping it
/// inline would make every message, including the hot UPD_C, that large to copy. The box
/// costs one allocation per full state; compressed messages never allocate.
public enum PFSyncMessage: Sendable, Hashable {
    /// CLR: delete all states of `creatorID` (on `ifname`, or everywhere when empty).
    case clear(ifname: InterfaceName, creatorID: UInt32)
    /// INS: a new state, with the format it was decoded from.
    indirect case insert(PFState, StateEncoding)
    /// UPD: a full state (answers UPD_REQ, fills bulk updates), with its decoded format.
    indirect case update(PFState, StateEncoding)
    /// OpenBSD's DEL (action 6, full state). FreeBSD cannot carry it.
    indirect case delete(PFState)
    /// INS_ACK: the peer has inserted a state (releases a deferred packet).
    case insertAck(StateID)
    /// UPD_C: a compressed update.
    case compressedUpdate(CompressedUpdate)
    /// UPD_REQ: asks for a full update; ``StateID/bulkRequest`` asks for a bulk update.
    case updateRequest(StateID)
    /// DEL_C: a compressed delete.
    case compressedDelete(StateID)
    /// BUS: bulk update start / end.
    case bulkStatus(BulkStatus)
    /// TDB: IPsec replay counters.
    case tdb(TDBMessage)
    /// EOF: FreeBSD's end-of-packet marker (OpenBSD's old one is decoded too).
    case eof

    /// The action name `pfsyncd decode --json` prints: CLR, INS_ACK, UPD_C, UPD_REQ, DEL_C,
    /// BUS, EOF, TDB; full states INS_1301 / UPD_1301 / INS_1400 / UPD_1400 / INS_1500 /
    /// UPD_1500 for version 5 and INS / UPD / DEL for version 6.
    public var actionName: String {
        switch self {
        case .clear: return "CLR"
        case .insert(_, let encoding): return Self.fullName("INS", encoding)
        case .update(_, let encoding): return Self.fullName("UPD", encoding)
        case .delete: return "DEL"
        case .insertAck: return "INS_ACK"
        case .compressedUpdate(let update): return update.counters == nil ? "UPD_C" : "UPD_CC"
        case .updateRequest: return "UPD_REQ"
        case .compressedDelete: return "DEL_C"
        case .bulkStatus: return "BUS"
        case .tdb: return "TDB"
        case .eof: return "EOF"
        }
    }

    private static func fullName(_ base: String, _ encoding: StateEncoding) -> String {
        guard let suffix = encoding.formatSuffix else { return base }
        return base + "_" + suffix
    }
}
