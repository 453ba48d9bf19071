import PFSyncCore

/// The pfsync protocol version in the packet header. The two are not interoperable.
public enum PFSyncVersion: UInt8, Sendable {
    /// FreeBSD (and OPNsense, pfSense).
    case freeBSD = 5
    /// OpenBSD.
    case openBSD = 6

    /// The address-family numbering the version's sender uses on the wire.
    @inlinable
    public var dialect: AddressFamily.Dialect {
        self == .freeBSD ? .freeBSD : .openBSD
    }
}

/// The full-state format of INS / UPD / DEL messages.
public enum StateEncoding: Sendable, Hashable {
    /// FreeBSD 13 format 1301 (242 bytes, actions 1 and 3).
    case freeBSD1301
    /// FreeBSD 14 format 1400 (277 bytes, actions 13 and 14): the FreeBSD default.
    case freeBSD1400
    /// FreeBSD 15 format 1500 (360 bytes, actions 15 and 16).
    case freeBSD1500
    /// OpenBSD's version-6 state (264 bytes, actions 13, 14 and 6).
    case openBSD

    /// The size of one state in this format, in bytes.
    @inlinable
    public var stateSize: Int {
        switch self {
        case .freeBSD1301: return 242
        case .freeBSD1400: return 277
        case .freeBSD1500: return 360
        case .openBSD: return 264
        }
    }

    /// The suffix `pfsyncd decode` prints after INS_ / UPD_ ("1301", "1400", "1500"), or nil
    /// for OpenBSD, whose actions are plain INS / UPD / DEL.
    public var formatSuffix: String? {
        switch self {
        case .freeBSD1301: return "1301"
        case .freeBSD1400: return "1400"
        case .freeBSD1500: return "1500"
        case .openBSD: return nil
        }
    }
}
