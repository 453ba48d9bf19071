import PFSyncWire

extension PFSyncMessage {
    /// The index of this message's action in ``ReplicationCounters/actionNames`` (UPD_C with
    /// or without counters counts as UPD_C; every full state as INS or UPD). Both engines
    /// count their per-action in/out figures with it.
    var actionIndex: Int {
        switch self {
        case .clear: return 0
        case .insert: return 1
        case .insertAck: return 2
        case .update: return 3
        case .compressedUpdate: return 4
        case .updateRequest: return 5
        case .delete: return 6
        case .compressedDelete: return 7
        case .bulkStatus: return 8
        case .tdb: return 9
        case .eof: return 10
        }
    }
}
