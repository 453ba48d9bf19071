/// The Internet checksum (RFC 1071) CARP puts over its header.
public enum CARPChecksum {
    /// The one's-complement sum of `bytes` as 16-bit big-endian words, complemented.
    /// Over a header whose checksum field is filled in, the result is 0.
    public static func compute(_ bytes: some Collection<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var high = true
        var word: UInt32 = 0
        for byte in bytes {
            if high {
                word = UInt32(byte) << 8
            } else {
                sum &+= word | UInt32(byte)
                sum = (sum & 0xFFFF) &+ (sum >> 16)
            }
            high.toggle()
        }
        if !high {
            sum &+= word
            sum = (sum & 0xFFFF) &+ (sum >> 16)
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }
}
