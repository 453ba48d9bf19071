/// The flags byte of a sync frame header.
public struct SyncFrameFlags: OptionSet, Sendable, Hashable {
    /// The raw flag bits.
    public var rawValue: UInt8

    /// Creates flags from their wire bits.
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The payload is one LZ4 block; the header's raw length is its decompressed size.
    public static let compressed = SyncFrameFlags(rawValue: 0x01)

    /// Every bit this version defines. A frame with any other bit set is rejected (`badver`).
    public static let known: SyncFrameFlags = [.compressed]
}
