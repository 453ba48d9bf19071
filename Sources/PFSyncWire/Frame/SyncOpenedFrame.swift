/// Whether an opened frame's tag was checked.
public enum SyncFrameAuthentication: Sendable, Hashable {
    /// The tag verified with the opener's key.
    case verified
    /// The opener had no key and did not check the tag (offline tools only).
    case skipped
}

/// A frame that passed every check: its header and its raw (decompressed) payload.
public struct SyncOpenedFrame: Sendable {
    /// The decoded header.
    public var header: SyncFrameHeader
    /// The raw payload. Shares the opener's buffer: drop it before the next `open`.
    public var payload: ArraySlice<UInt8>
    /// Whether the tag was verified or skipped.
    public var authentication: SyncFrameAuthentication
}
