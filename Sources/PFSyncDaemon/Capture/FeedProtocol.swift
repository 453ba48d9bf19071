/// The feed socket's wire format (PROTOCOL.md, "Feed socket"): a client streams captured
/// frames into the daemon's tracker and gets one verdict byte per frame back.
///
/// All integers are big-endian.
/// - hello (client, 12 bytes): magic `PFSF`, u16 version (1), u16 reserved (0), i32 pcap
///   link type. The daemon answers 8 bytes: magic `PFSA`, u16 version, u16 status
///   (``HelloStatus``); on a refusal it closes the connection.
/// - batch (client): records `u32 length, u32 ts_sec, u32 ts_usec, length bytes`, then the
///   terminator `u32 0xFFFFFFFF`.
/// - batch reply (daemon): `u32 count`, then `count` verdict bytes (`Verdict.rawValue`), one
///   per record of the batch, in order.
public enum FeedProtocol {
    /// The client's hello magic, "PFSF".
    public static let helloMagic: UInt32 = 0x5046_5346
    /// The daemon's answer magic, "PFSA".
    public static let answerMagic: UInt32 = 0x5046_5341
    /// The protocol version.
    public static let version: UInt16 = 1
    /// Size of the client's hello.
    public static let helloSize = 12
    /// Size of the daemon's answer to the hello.
    public static let answerSize = 8
    /// Size of a record header (length, seconds, microseconds).
    public static let recordHeaderSize = 12
    /// The length value that ends a batch.
    public static let batchTerminator: UInt32 = 0xFFFF_FFFF
    /// Longest frame accepted (pcap's largest snapshot length).
    public static let maximumFrame = 262_144
    /// Most records in one batch.
    public static let maximumBatch = 65_536

    /// The daemon's answer to a hello.
    public enum HelloStatus: UInt16, Sendable {
        /// Accepted: batches may follow.
        case accepted = 0
        /// Bad magic or unknown version.
        case badHello = 1
        /// The link type is not one the parser reads.
        case unsupportedLinkType = 2
    }

    /// Writes `value` big-endian at `offset` of `buffer`.
    @inline(__always)
    static func put(_ value: UInt32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer[offset] = UInt8(truncatingIfNeeded: value >> 24)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        buffer[offset + 3] = UInt8(truncatingIfNeeded: value)
    }

    /// Reads a big-endian u32 at `offset` of `bytes` (the caller checked the bounds).
    @inline(__always)
    static func u32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    /// Appends `value` big-endian to `bytes`.
    @inline(__always)
    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}
