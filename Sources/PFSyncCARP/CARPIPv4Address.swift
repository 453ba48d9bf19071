#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 address as CARP handles it: compared and hashed in network byte order.
public struct CARPIPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a host-order integer (10.0.0.1 is 0x0A000001).
    public var value: UInt32

    /// Wraps a host-order integer.
    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text; nil when it is not an IPv4 address.
    public init?(_ text: String) {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        value = UInt32(bigEndian: address.s_addr)
    }

    /// Reads four network-order bytes at `offset`; nil when out of bounds.
    public init?(bytes: some RandomAccessCollection<UInt8>, at offset: Int) {
        guard offset >= 0, bytes.count >= 4, offset <= bytes.count - 4 else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        var result: UInt32 = 0
        var index = start
        for _ in 0..<4 {
            result = result << 8 | UInt32(bytes[index])
            index = bytes.index(after: index)
        }
        value = result
    }

    /// Appends the four network-order bytes.
    public func append(to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    /// Dotted-quad text.
    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}
