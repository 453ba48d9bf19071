import PFSyncCore

/// What a sub-header's action means in a given version, and its message size (internal).
enum MessageKind: Equatable {
    case clear
    case insert(StateEncoding)
    case update(StateEncoding)
    case delete
    case insertAck
    case compressedUpdate
    case counterUpdate
    case updateRequest
    case compressedDelete
    case bulkStatus
    case tdb
    case eof

    /// The meaning of `action` in `version`, or nil for an action the version does not
    /// implement (FreeBSD: badact; OpenBSD: skipped).
    static func decoding(_ action: UInt8, version: PFSyncVersion) -> MessageKind? {
        switch action {
        case PFSyncAction.clear: return .clear
        case PFSyncAction.insertAck: return .insertAck
        case PFSyncAction.compressedUpdate: return .compressedUpdate
        case PFSyncAction.updateRequest: return .updateRequest
        case PFSyncAction.compressedDelete: return .compressedDelete
        case PFSyncAction.bulkStatus: return .bulkStatus
        case PFSyncAction.eof: return .eof
        default: break
        }
        if version == .freeBSD && action == PFSyncAction.counterUpdate { return .counterUpdate }
        if version == .openBSD {
            switch action {
            case PFSyncAction.insert: return .insert(.openBSD)
            case PFSyncAction.update: return .update(.openBSD)
            case PFSyncAction.delete: return .delete
            case PFSyncAction.insert1500OrOpenBSDTDB: return .tdb
            default: return nil
            }
        }
        switch action {
        case PFSyncAction.insert1301: return .insert(.freeBSD1301)
        case PFSyncAction.update1301: return .update(.freeBSD1301)
        case PFSyncAction.insert: return .insert(.freeBSD1400)
        case PFSyncAction.update: return .update(.freeBSD1400)
        case PFSyncAction.insert1500OrOpenBSDTDB: return .insert(.freeBSD1500)
        case PFSyncAction.update1500: return .update(.freeBSD1500)
        case PFSyncAction.freeBSDTDB: return .tdb
        default: return nil
        }
    }

    /// The action number this kind is sent under in `version`, or nil when the version
    /// cannot carry it (FreeBSD: DEL; OpenBSD: the FreeBSD state formats).
    func action(version: PFSyncVersion) -> UInt8? {
        switch self {
        case .clear: return PFSyncAction.clear
        case .insertAck: return PFSyncAction.insertAck
        case .compressedUpdate: return PFSyncAction.compressedUpdate
        case .counterUpdate: return version == .freeBSD ? PFSyncAction.counterUpdate : nil
        case .updateRequest: return PFSyncAction.updateRequest
        case .compressedDelete: return PFSyncAction.compressedDelete
        case .bulkStatus: return PFSyncAction.bulkStatus
        case .eof: return PFSyncAction.eof
        case .tdb:
            return version == .freeBSD ? PFSyncAction.freeBSDTDB : PFSyncAction.insert1500OrOpenBSDTDB
        case .delete:
            return version == .openBSD ? PFSyncAction.delete : nil
        case .insert(let encoding):
            switch (version, encoding) {
            case (.openBSD, .openBSD): return PFSyncAction.insert
            case (.freeBSD, .freeBSD1301): return PFSyncAction.insert1301
            case (.freeBSD, .freeBSD1400): return PFSyncAction.insert
            case (.freeBSD, .freeBSD1500): return PFSyncAction.insert1500OrOpenBSDTDB
            default: return nil
            }
        case .update(let encoding):
            switch (version, encoding) {
            case (.openBSD, .openBSD): return PFSyncAction.update
            case (.freeBSD, .freeBSD1301): return PFSyncAction.update1301
            case (.freeBSD, .freeBSD1400): return PFSyncAction.update
            case (.freeBSD, .freeBSD1500): return PFSyncAction.update1500
            default: return nil
            }
        }
    }

    /// The size of one message in `version`.
    func size(version: PFSyncVersion) -> Int {
        switch self {
        case .clear: return PFSyncSize.clear
        case .insert(let encoding), .update(let encoding): return encoding.stateSize
        case .delete: return OpenBSDStateCodec.size
        case .insertAck: return PFSyncSize.insertAck
        case .compressedUpdate: return PFSyncSize.compressedUpdate
        case .counterUpdate: return PFSyncSize.counterUpdate
        case .updateRequest: return PFSyncSize.updateRequest
        case .compressedDelete: return PFSyncSize.compressedDelete
        case .bulkStatus: return PFSyncSize.bulkStatus
        case .tdb: return version == .freeBSD ? PFSyncSize.freeBSDTDB : PFSyncSize.openBSDTDB
        case .eof: return PFSyncSize.eof
        }
    }
}
