/// A pf tag name as FreeBSD 15's pfsync state format 1500 carries it: 64 bytes, NUL-padded
/// (`PF_TAG_NAME_SIZE`). Stored as eight big-endian-read words so that states holding it
/// stay plain old data.
public struct TagName: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8, 8..<16, ... 56..<64, each read as a big-endian number.
    public var word0: UInt64
    public var word1: UInt64
    public var word2: UInt64
    public var word3: UInt64
    public var word4: UInt64
    public var word5: UInt64
    public var word6: UInt64
    public var word7: UInt64

    /// The number of bytes a tag name occupies on the wire.
    public static let byteCount = 64

    /// The empty tag name (all zero).
    public static let empty = TagName(words: (0, 0, 0, 0, 0, 0, 0, 0))

    /// Creates a tag name from its eight words.
    @inlinable
    public init(words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        (word0, word1, word2, word3, word4, word5, word6, word7) = words
    }

    /// Creates a tag name from text; longer than 63 bytes is cut (the last byte stays NUL).
    public init(_ text: String) {
        self.init(bytes: Array(text.utf8.prefix(TagName.byteCount - 1)))
    }

    /// Creates a tag name from up to 64 raw bytes (shorter input is zero-padded, kept verbatim).
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        var words = [UInt64](repeating: 0, count: 8)
        for (index, byte) in bytes.prefix(TagName.byteCount).enumerated() {
            words[index / 8] |= UInt64(byte) << UInt64(56 - 8 * (index % 8))
        }
        self.init(words: (words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7]))
    }

    /// The eight words in wire order.
    @inlinable
    public var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
        (word0, word1, word2, word3, word4, word5, word6, word7)
    }

    /// The 64 raw bytes.
    public var bytes: [UInt8] {
        let all = [word0, word1, word2, word3, word4, word5, word6, word7]
        return all.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * $0)) } }
    }

    /// The text up to the first NUL. Bytes that are not valid UTF-8 are replaced.
    public var description: String {
        let raw = bytes
        let end = raw.firstIndex(of: 0) ?? raw.count
        return String(decoding: raw[..<end], as: UTF8.self)
    }
}
