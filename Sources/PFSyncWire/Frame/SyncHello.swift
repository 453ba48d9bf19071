/// The payload of a HELLO frame (16 bytes; 12 from senders that do not say their receive
/// window), sent when a daemon starts (and repeated until answered) and answered with
/// ``Options/reply`` set.
///
/// ```
/// 0  options u8            bit 0 REPLY, bit 1 BULK_REQUEST; other bits 0
/// 1  pfsync version u8     the pfsync packet format in DATA frames (5 = FreeBSD)
/// 2  max datagram u16      the largest datagram the sender accepts
/// 4  keepalive u32         the sender's keepalive interval in milliseconds, at least 1
/// 8  features u32          bit 0 LZ4, bit 1 delta updates, bit 2 delayed ACKs,
///                          bit 3 padded frames; unknown bits are ignored
/// 12 receive window u32    DATA frames the sender's socket buffer holds (0: not said)
/// ```
/// Bytes after the 16th are ignored (room for later fields).
public struct SyncHello: Sendable, Hashable {
    /// HELLO option bits.
    public struct Options: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public var rawValue: UInt8
        /// Creates options from their wire bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// This HELLO answers the peer's HELLO.
        public static let reply = Options(rawValue: 0x01)
        /// The sender's table is empty or stale: please send a full (bulk) update.
        public static let bulkRequest = Options(rawValue: 0x02)
        /// Every defined bit; others must be zero.
        public static let known: Options = [.reply, .bulkRequest]
    }

    /// Feature bits (advisory; unknown bits are ignored).
    public struct Features: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public var rawValue: UInt32
        /// Creates features from their wire bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The sender can decompress LZ4 payloads.
        public static let lz4 = Features(rawValue: 0x01)
        /// The sender takes delta updates (UPD_D, a section after the pfsync packet of
        /// DATA payloads); its peer may send them.
        public static let deltaUpdates = Features(rawValue: 0x02)
        /// The sender takes delayed ACKs: its peer may hold an ACK back for a while (to
        /// acknowledge several frames at once) and say how long in the ACK, which the
        /// sender takes off the replication lag it measures.
        public static let ackDelay = Features(rawValue: 0x04)
        /// The sender takes padded frames: a datagram whose frame is followed by zero bytes.
        /// Its peer may then pad the frames of a burst to one size and send them as one UDP
        /// GSO write (the kernel cuts it into datagrams of that size, or hands it whole to
        /// a receiver with UDP GRO).
        public static let paddedFrames = Features(rawValue: 0x08)
    }

    /// The payload length.
    public static let payloadLength = 16
    /// The payload length without the receive window (what older senders send).
    public static let shortPayloadLength = 12

    /// Option bits.
    public var options: Options
    /// The pfsync packet version carried in DATA frames (5).
    public var pfsyncVersion: UInt8
    /// The largest datagram the sender accepts.
    public var maxDatagramSize: UInt16
    /// The sender's keepalive interval in milliseconds.
    public var keepaliveMilliseconds: UInt32
    /// Feature bits.
    public var features: Features
    /// How many DATA frames of the sender's largest datagram its sync socket's receive
    /// buffer holds, so that the peer's flow control fits its window to it; 0 when the
    /// sender does not say.
    public var receiveWindowFrames: UInt32

    /// Creates a HELLO payload.
    public init(
        options: Options, pfsyncVersion: UInt8 = 5, maxDatagramSize: UInt16,
        keepaliveMilliseconds: UInt32, features: Features = [.lz4], receiveWindowFrames: UInt32 = 0
    ) {
        self.options = options
        self.pfsyncVersion = pfsyncVersion
        self.maxDatagramSize = maxDatagramSize
        self.keepaliveMilliseconds = keepaliveMilliseconds
        self.features = features
        self.receiveWindowFrames = receiveWindowFrames
    }

    /// Replaces `payload` with this HELLO's encoding (keeps the array's capacity).
    public func encode(into payload: inout [UInt8]) {
        payload.removeAll(keepingCapacity: true)
        payload.append(options.rawValue)
        payload.append(pfsyncVersion)
        FrameBytes.append(maxDatagramSize, to: &payload)
        FrameBytes.append(keepaliveMilliseconds, to: &payload)
        FrameBytes.append(features.rawValue, to: &payload)
        FrameBytes.append(receiveWindowFrames, to: &payload)
    }

    /// Decodes a HELLO payload: 12 bytes (no receive window), or 16 and more (what follows
    /// the 16th byte is ignored).
    public init(decoding payload: UnsafeRawBufferPointer) throws(SyncFrameError) {
        guard payload.count == Self.shortPayloadLength || payload.count >= Self.payloadLength else {
            throw .controlPayloadLength(kind: .hello, length: payload.count)
        }
        receiveWindowFrames = payload.count >= Self.payloadLength ? FrameBytes.u32(payload, at: 12) : 0
        options = Options(rawValue: payload[0])
        pfsyncVersion = payload[1]
        maxDatagramSize = FrameBytes.u16(payload, at: 2)
        keepaliveMilliseconds = FrameBytes.u32(payload, at: 4)
        features = Features(rawValue: FrameBytes.u32(payload, at: 8))
        guard Options.known.isSuperset(of: options), keepaliveMilliseconds > 0,
            Int(maxDatagramSize) >= SyncFrameLayout.minDatagramSize
        else { throw .controlPayloadInvalid(kind: .hello) }
    }
}
