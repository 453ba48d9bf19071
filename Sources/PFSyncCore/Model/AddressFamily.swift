/// The address family of a state, independent of any operating system's numbering.
///
/// On the wire pf uses the sender's `AF_INET` (2) and `AF_INET6` (28 on FreeBSD, 24 on
/// OpenBSD); Linux's 10 never appears. Use ``wireValue(for:)`` and ``init(wireValue:)``.
public enum AddressFamily: UInt8, Sendable, Hashable, CaseIterable {
    /// IPv4.
    case inet = 2
    /// IPv6.
    case inet6 = 10

    /// The operating system whose numbering a wire value follows.
    public enum Dialect: Sendable {
        /// FreeBSD (pfsync version 5): AF_INET6 = 28.
        case freeBSD
        /// OpenBSD (pfsync version 6): AF_INET6 = 24.
        case openBSD
    }

    /// The value this family has on the wire in the given dialect.
    @inlinable
    public func wireValue(for dialect: Dialect) -> UInt8 {
        switch self {
        case .inet: return 2
        case .inet6: return dialect == .freeBSD ? 28 : 24
        }
    }

    /// Reads a wire value; accepts any known AF_INET6 numbering (28, 24, 30, 10) so that a
    /// receiver is liberal. Returns nil for anything else.
    @inlinable
    public init?(wireValue: UInt8) {
        switch wireValue {
        case 2: self = .inet
        case 28, 24, 30, 10: self = .inet6
        default: return nil
        }
    }

    /// "inet" or "inet6", as pfctl and `pfsyncd decode` print it.
    public var name: String { self == .inet ? "inet" : "inet6" }
}
