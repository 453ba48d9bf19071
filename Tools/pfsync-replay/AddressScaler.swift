import PFSyncCore

/// `--scale K`: copy `c` of a packet (0 < c < K) has `c` added to the second octet of both
/// addresses (IPv4 and IPv6 alike) and `c >> 8` to the third, so K copies of a capture's
/// flows are K distinct sets of flows. The rewrite happens in place in the outgoing batch.
enum AddressScaler {
    /// The byte offsets in an address that carry the copy number.
    static let lowByte = 1
    static let highByte = 2

    /// Rewrites the address pair at `offset` (two addresses of `size` bytes) for copy `copy`.
    @inline(__always)
    static func rewritePair(_ bytes: inout [UInt8], at offset: Int, size: Int, copy: Int) {
        guard copy != 0, offset >= 0, offset + 2 * size <= bytes.count else { return }
        let low = UInt8(truncatingIfNeeded: copy), high = UInt8(truncatingIfNeeded: copy >> 8)
        bytes[offset + lowByte] &+= low
        bytes[offset + highByte] &+= high
        bytes[offset + size + lowByte] &+= low
        bytes[offset + size + highByte] &+= high
    }

    /// `address` as copy `copy` has it.
    static func scaled(_ address: IPAddress, copy: Int) -> IPAddress {
        var bytes = address.bytes
        bytes[lowByte] &+= UInt8(truncatingIfNeeded: copy)
        bytes[highByte] &+= UInt8(truncatingIfNeeded: copy >> 8)
        return IPAddress(bytes: bytes)
    }
}
