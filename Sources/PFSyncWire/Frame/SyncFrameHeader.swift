/// The decoded fixed header of a sync frame (magic and version are implied).
public struct SyncFrameHeader: Sendable, Hashable {
    /// What the frame carries.
    public var kind: SyncFrameKind
    /// Flag bits (only ``SyncFrameFlags/compressed`` is defined).
    public var flags: SyncFrameFlags
    /// The sending daemon's pfsync `creatorid`.
    public var senderID: UInt32
    /// Changes every time the sending daemon starts; a new epoch resets the receiver's window.
    public var epoch: UInt32
    /// DATA: this frame's sequence number (1, 2, ... within an epoch). Other kinds: the highest
    /// DATA sequence the sender has sent in this epoch (0 before the first).
    public var sequence: UInt64
    /// Length of the payload after decompression (equals ``payloadLength`` when not compressed).
    public var rawLength: Int
    /// Length of the payload bytes on the wire.
    public var payloadLength: Int

    /// Creates a header.
    public init(
        kind: SyncFrameKind, flags: SyncFrameFlags, senderID: UInt32, epoch: UInt32,
        sequence: UInt64, rawLength: Int, payloadLength: Int
    ) {
        self.kind = kind
        self.flags = flags
        self.senderID = senderID
        self.epoch = epoch
        self.sequence = sequence
        self.rawLength = rawLength
        self.payloadLength = payloadLength
    }

    /// The datagram size of a frame with this header: header, payload, tag.
    public var frameLength: Int { SyncFrameLayout.overhead + payloadLength }

    /// Writes the 28 header bytes (with magic and version) at the front of `bytes`.
    ///
    /// Lengths are stored as 16-bit values; callers keep them within `0...65535`.
    func write(into bytes: UnsafeMutableRawBufferPointer) {
        typealias O = SyncFrameLayout.Offset
        FrameBytes.store(SyncFrameLayout.magic, bytes, at: O.magic)
        bytes[O.version] = SyncFrameLayout.version
        bytes[O.kind] = kind.rawValue
        bytes[O.flags] = flags.rawValue
        bytes[O.reserved] = 0
        FrameBytes.store(senderID, bytes, at: O.senderID)
        FrameBytes.store(epoch, bytes, at: O.epoch)
        FrameBytes.store(sequence, bytes, at: O.sequence)
        FrameBytes.store(UInt16(truncatingIfNeeded: rawLength), bytes, at: O.rawLength)
        FrameBytes.store(UInt16(truncatingIfNeeded: payloadLength), bytes, at: O.payloadLength)
    }
}
