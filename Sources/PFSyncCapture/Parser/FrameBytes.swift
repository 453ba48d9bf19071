import PFSyncCore

/// Bounds-checked big-endian reads from a captured frame. Every read outside the buffer
/// yields zero instead of touching memory; callers check lengths first and these checks are
/// the safety net that makes any input harmless.
extension UnsafeRawBufferPointer {
    /// True when `count` bytes starting at `offset` are inside the buffer.
    @inline(__always)
    func has(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= self.count && self.count - offset >= length
    }

    /// The byte at `offset`, or 0 when outside.
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        guard has(offset, 1) else { return 0 }
        return self.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// The big-endian 16-bit number at `offset`, or 0 when outside.
    @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        guard has(offset, 2) else { return 0 }
        return UInt16(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 32-bit number at `offset`, or 0 when outside.
    @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        guard has(offset, 4) else { return 0 }
        return UInt32(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The little-endian 32-bit number at `offset`, or 0 when outside.
    @inline(__always)
    func le32(_ offset: Int) -> UInt32 {
        guard has(offset, 4) else { return 0 }
        return UInt32(littleEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian 64-bit number at `offset`, or 0 when outside.
    @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        guard has(offset, 8) else { return 0 }
        return UInt64(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// An IPv4 address at `offset` in pf's 16-byte slot form.
    @inline(__always)
    func ipv4Address(_ offset: Int) -> IPAddress { IPAddress(ipv4: be32(offset)) }

    /// A 16-byte IPv6 address at `offset`.
    @inline(__always)
    func ipv6Address(_ offset: Int) -> IPAddress { IPAddress(high: be64(offset), low: be64(offset + 8)) }
}
