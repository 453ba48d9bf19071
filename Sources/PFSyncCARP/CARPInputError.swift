/// Why a received CARP packet was dropped. Each case has a counter in ``CARPCounters``.
public enum CARPInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not an IPv4 packet, or its header is truncated or inconsistent.
    case badIPHeader
    /// The IP protocol is not 112.
    case notCARP(UInt8)
    /// The TTL is not 255 (the packet was routed).
    case badTTL(UInt8)
    /// The CARP payload is shorter than 36 bytes.
    case badLength(Int)
    /// The CARP version is not 2.
    case badVersion(UInt8)
    /// The type is not 1 (advertisement).
    case badType(UInt8)
    /// The Internet checksum does not verify.
    case badChecksum
    /// No virtual host with this vhid is configured here.
    case badVHID(UInt8)
    /// The HMAC does not verify (wrong password or different addresses).
    case badAuthentication(vhid: UInt8)
    /// Our own advertisement came back (multicast loop, or a network loop).
    case ownAdvertisement

    public var description: String {
        switch self {
        case .badIPHeader: return "bad IPv4 header"
        case let .notCARP(proto): return "IP protocol \(proto) is not CARP"
        case let .badTTL(ttl): return "TTL \(ttl) is not 255"
        case let .badLength(length): return "CARP payload of \(length) bytes is shorter than 36"
        case let .badVersion(version): return "CARP version \(version) is not 2"
        case let .badType(type): return "CARP type \(type) is not an advertisement"
        case .badChecksum: return "bad CARP checksum"
        case let .badVHID(vhid): return "no virtual host \(vhid) here"
        case let .badAuthentication(vhid): return "HMAC of vhid \(vhid) does not verify (wrong password?)"
        case .ownAdvertisement: return "our own advertisement came back"
        }
    }
}
