/// The fields of an IPv4 header that plain pfsync checks on input. A raw IP socket hands
/// every datagram over with its IPv4 header; pfsync drops a packet whose TTL is not 255.
public struct PlainIPv4Header: Sendable, Hashable {
    /// The header length in bytes (IHL x 4, 20 to 60): where the pfsync packet starts.
    public var headerLength: Int
    /// Time to live as received.
    public var ttl: UInt8
    /// The IP protocol number (240 for pfsync).
    public var protocolNumber: UInt8
    /// Source address (host order, e.g. 0x0A000001 for 10.0.0.1).
    public var source: UInt32
    /// Destination address (host order).
    public var destination: UInt32

    /// The TTL pfsync sends with and demands on input (`PFSYNC_DFLTTL`).
    public static let requiredTTL: UInt8 = 255
    /// pfsync's IP protocol number.
    public static let pfsyncProtocol: UInt8 = 240

    /// Reads the header at the start of `bytes`; nil when the bytes are not an IPv4 header
    /// that fits (fewer than 20 bytes, version not 4, IHL below 5 or beyond the bytes).
    public init?(parsing bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 20 else { return nil }
        let first = bytes[0]
        guard first >> 4 == 4 else { return nil }
        let length = Int(first & 0x0F) * 4
        guard length >= 20, length <= bytes.count else { return nil }
        headerLength = length
        ttl = bytes[8]
        protocolNumber = bytes[9]
        source = Self.u32(bytes, 12)
        destination = Self.u32(bytes, 16)
    }

    private static func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
