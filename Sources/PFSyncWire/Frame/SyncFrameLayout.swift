/// Byte layout of a pfsyncd sync frame (see PROTOCOL.md at the top of the project).
///
/// ```
/// 0  magic "PFSD"        4      16 sequence u64       8
/// 4  version u8          1      24 raw length u16     2
/// 5  kind u8             1      26 payload length u16 2
/// 6  flags u8            1      28 payload            payload length
/// 7  reserved u8 (0)     1      28+P tag              16 (HMAC-SHA256, truncated)
/// 8  sender id u32       4
/// 12 epoch u32           4
/// ```
/// All integers are big-endian.
public enum SyncFrameLayout {
    /// The magic bytes "PFSD" read as a big-endian `UInt32`.
    public static let magic: UInt32 = 0x5046_5344
    /// The only frame version this code speaks.
    public static let version: UInt8 = 1
    /// Size of the fixed header in front of the payload.
    public static let headerSize = 28
    /// Size of the authentication tag after the payload (HMAC-SHA256 truncated to 128 bits).
    public static let tagSize = 16
    /// Header plus tag: the bytes every frame spends on framing.
    public static let overhead = headerSize + tagSize
    /// The largest raw (decompressed) payload length the 16-bit field can declare.
    public static let maxRawLength = Int(UInt16.max)
    /// The largest UDP payload over IPv4 (65535 - 20 - 8); the ceiling for any datagram.
    public static let maxDatagramSize = 65_507
    /// The smallest datagram size a sealer accepts as its limit.
    public static let minDatagramSize = 64
    /// The default datagram limit: a 1500-byte MTU minus IPv4 (20) and UDP (8) headers.
    public static let defaultDatagramSize = 1_472
    /// The default UDP port of the sync transport.
    public static let defaultPort: UInt16 = 8_240

    enum Offset {
        static let magic = 0
        static let version = 4
        static let kind = 5
        static let flags = 6
        static let reserved = 7
        static let senderID = 8
        static let epoch = 12
        static let sequence = 16
        static let rawLength = 24
        static let payloadLength = 26
        static let payload = 28
    }
}
