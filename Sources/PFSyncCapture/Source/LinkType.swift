/// A capture's link-layer header type (libpcap's `DLT_*` value as `pcap_datalink` reports it).
///
/// Any value can be represented; the parser understands the ones with a static constant.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The DLT number.
    public var rawValue: Int32

    /// Creates a link type from its DLT number.
    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// BSD loopback, address family in the capturing host's byte order (DLT_NULL 0).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II with optional 802.1Q / 802.1ad / QinQ tags, PPPoE sessions, MPLS (DLT_EN10MB 1).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP, version from the first nibble (DLT_RAW 12 on most systems).
    public static let raw = LinkType(rawValue: 12)
    /// Raw IP as OpenBSD numbers DLT_RAW (14).
    public static let rawOpenBSD = LinkType(rawValue: 14)
    /// LINKTYPE_RAW (101), when libpcap does not map it to DLT_RAW.
    public static let linktypeRaw = LinkType(rawValue: 101)
    /// OpenBSD loopback, address family in network byte order (DLT_LOOP 108).
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (DLT_LINUX_SLL 113).
    public static let linuxCooked = LinkType(rawValue: 113)
    /// Raw IPv4 (DLT_IPV4 228).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (DLT_IPV6 229).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (DLT_LINUX_SLL2 276).
    public static let linuxCooked2 = LinkType(rawValue: 276)

    /// True when ``PacketParser`` can find the IP header behind this link type.
    public var isSupported: Bool {
        switch rawValue {
        case 0, 1, 12, 14, 101, 108, 113, 228, 229, 276: return true
        default: return false
        }
    }

    /// A short name such as `EN10MB(1)`.
    public var description: String {
        let name: String
        switch rawValue {
        case 0: name = "NULL"
        case 1: name = "EN10MB"
        case 12, 14, 101: name = "RAW"
        case 108: name = "LOOP"
        case 113: name = "LINUX_SLL"
        case 228: name = "IPV4"
        case 229: name = "IPV6"
        case 276: name = "LINUX_SLL2"
        default: name = "DLT"
        }
        return "\(name)(\(rawValue))"
    }
}
