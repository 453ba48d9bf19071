/// The fields a ``DeltaUpdate`` carries: its record's mask (a varint on the wire). Bits
/// are ordered by how often the field changes, so that a typical TCP update needs one
/// mask byte.
public struct DeltaFields: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16

    /// Creates a mask.
    @inlinable
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `src.seqLo` changed (signed difference).
    public static let srcSeqLo = DeltaFields(rawValue: 1 << 0)
    /// `src.seqHi` changed (signed difference).
    public static let srcSeqHi = DeltaFields(rawValue: 1 << 1)
    /// `dst.seqLo` changed (signed difference).
    public static let dstSeqLo = DeltaFields(rawValue: 1 << 2)
    /// `dst.seqHi` changed (signed difference).
    public static let dstSeqHi = DeltaFields(rawValue: 1 << 3)
    /// Packet counters changed (two increments, forward and reverse).
    public static let packets = DeltaFields(rawValue: 1 << 4)
    /// Byte counters changed (two increments).
    public static let bytes = DeltaFields(rawValue: 1 << 5)
    /// The wire expiry (seconds remaining) changed (new value).
    public static let expire = DeltaFields(rawValue: 1 << 6)
    /// `src.maxWin` changed (new value).
    public static let srcMaxWin = DeltaFields(rawValue: 1 << 7)
    /// `dst.maxWin` changed (new value).
    public static let dstMaxWin = DeltaFields(rawValue: 1 << 8)
    /// Another field of `src` changed: state, wscale, mss, seqDiff and scrub follow.
    public static let srcOther = DeltaFields(rawValue: 1 << 9)
    /// Another field of `dst` changed: as for ``srcOther``.
    public static let dstOther = DeltaFields(rawValue: 1 << 10)
    /// The timeout class changed (new value).
    public static let timeout = DeltaFields(rawValue: 1 << 11)
    /// A creator id (4 bytes) follows: it holds for this record and the next ones.
    public static let creator = DeltaFields(rawValue: 1 << 12)

    /// Every defined bit; a record with another bit set is invalid.
    public static let known = DeltaFields(rawValue: 0x1FFF)
}
