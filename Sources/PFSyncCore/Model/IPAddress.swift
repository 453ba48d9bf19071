/// A 16-byte address slot as pf stores it (`struct pf_addr`): an IPv4 address occupies the
/// first 4 bytes, the rest zero. Stored as two big-endian-read 64-bit words so that it is
/// trivially copyable, cheap to hash and compare.
public struct IPAddress: Hashable, Sendable {
    /// Bytes 0..<8 read as a big-endian number.
    public var high: UInt64
    /// Bytes 8..<16 read as a big-endian number.
    public var low: UInt64

    /// Creates an address from its two 64-bit halves.
    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The all-zero address.
    public static let zero = IPAddress(high: 0, low: 0)

    /// An IPv4 address (host-order number, e.g. 0x0A000001 for 10.0.0.1) in the first 4 bytes.
    @inlinable
    public init(ipv4: UInt32) {
        self.high = UInt64(ipv4) << 32
        self.low = 0
    }

    /// The IPv4 address in the first 4 bytes.
    @inlinable
    public var ipv4: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

    /// Builds an address from up to 16 bytes (shorter input is zero-padded).
    @inlinable
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        var index = 0
        for byte in bytes.prefix(16) {
            if index < 8 {
                hi |= UInt64(byte) << UInt64(56 - 8 * index)
            } else {
                lo |= UInt64(byte) << UInt64(56 - 8 * (index - 8))
            }
            index += 1
        }
        self.high = hi
        self.low = lo
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            let shift = UInt64(56 - 8 * i)
            result[i] = UInt8(truncatingIfNeeded: high >> shift)
            result[i + 8] = UInt8(truncatingIfNeeded: low >> shift)
        }
        return result
    }

    /// Text form for the given family: dotted quad, or RFC 5952 IPv6.
    public func formatted(_ family: AddressFamily) -> String {
        let b = bytes
        if family == .inet {
            return "\(b[0]).\(b[1]).\(b[2]).\(b[3])"
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<8 { groups[i] = UInt16(b[2 * i]) << 8 | UInt16(b[2 * i + 1]) }
        // Longest run of two or more zero groups becomes "::".
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }
}
