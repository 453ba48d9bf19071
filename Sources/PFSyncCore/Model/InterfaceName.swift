/// An interface name as pf carries it: 16 bytes, NUL-padded (`IFNAMSIZ`).
/// Trivially copyable, so states holding it stay plain old data.
public struct InterfaceName: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8 (big-endian reading).
    public var high: UInt64
    /// Bytes 8..<16 (big-endian reading).
    public var low: UInt64

    /// The empty name.
    public static let empty = InterfaceName(high: 0, low: 0)

    /// Creates a name from its raw words.
    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates a name from text; longer than 15 bytes is cut (the last byte stays NUL).
    public init(_ text: String) {
        var raw = Array(text.utf8.prefix(15))
        raw += [UInt8](repeating: 0, count: 16 - raw.count)
        let address = IPAddress(bytes: raw)
        self.init(high: address.high, low: address.low)
    }

    /// Creates a name from 16 raw bytes as found on the wire (kept verbatim).
    @inlinable
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        let address = IPAddress(bytes: bytes)
        self.init(high: address.high, low: address.low)
    }

    /// The 16 raw bytes.
    public var bytes: [UInt8] { IPAddress(high: high, low: low).bytes }

    /// The text up to the first NUL. Bytes that are not valid UTF-8 are replaced.
    public var description: String {
        let raw = bytes
        let end = raw.firstIndex(of: 0) ?? raw.count
        return String(decoding: raw[..<end], as: UTF8.self)
    }
}
