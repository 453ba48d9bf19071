/// Writes varints and fixed fields into a byte buffer the caller has sized (internal): the
/// encoder checks room for a whole record before it starts.
struct DeltaOutputCursor {
    let base: UnsafeMutableRawPointer
    var offset: Int

    @inline(__always)
    mutating func u8(_ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
        offset &+= 1
    }

    @inline(__always)
    mutating func u32(_ value: UInt32) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
        offset &+= 4
    }

    /// LEB128: seven bits per byte, low bits first, the high bit says "more follows".
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            u8(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        u8(UInt8(truncatingIfNeeded: rest))
    }

    /// A signed difference, zigzag-mapped so that small magnitudes stay short.
    @inline(__always)
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}

/// Reads what ``DeltaOutputCursor`` writes, never past `end` (internal). Every failure is
/// a `badlen` (the section is cut short) or a `badval` (an impossible varint).
struct DeltaInputCursor {
    let base: UnsafeRawPointer
    var offset: Int
    let end: Int

    @inline(__always)
    mutating func u8() throws(PFSyncError) -> UInt8 {
        guard offset < end else { throw truncated() }
        let value = base.load(fromByteOffset: offset, as: UInt8.self)
        offset &+= 1
        return value
    }

    @inline(__always)
    mutating func u32() throws(PFSyncError) -> UInt32 {
        guard end - offset >= 4 else { throw truncated() }
        let value = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset &+= 4
        return UInt32(bigEndian: value)
    }

    /// At most ten bytes; the tenth may hold only the 64th bit.
    ///
    /// With eight bytes left, a varint of up to eight bytes is read from one 64-bit load:
    /// its length from the first byte without the "more" bit, its 7-bit groups packed
    /// together in three steps (no branch per byte).
    @inline(__always)
    mutating func varint() throws(PFSyncError) -> UInt64 {
        if end &- offset >= 8 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let stops = ~word & 0x8080_8080_8080_8080
            if stops != 0 {
                let lastBit = stops.trailingZeroBitCount  // 7, 15, ..., 63
                offset &+= (lastBit &+ 1) >> 3
                let kept = lastBit == 63 ? word : word & ((1 << UInt64(lastBit &+ 1)) &- 1)
                var value = kept & 0x7F7F_7F7F_7F7F_7F7F
                value = (value & 0x007F_007F_007F_007F) | ((value & 0x7F00_7F00_7F00_7F00) >> 1)
                value = (value & 0x0000_3FFF_0000_3FFF) | ((value & 0x3FFF_0000_3FFF_0000) >> 2)
                return (value & 0x0000_0000_0FFF_FFFF) | ((value & 0x0FFF_FFFF_0000_0000) >> 4)
            }
        }
        return try varintByteByByte()
    }

    /// The general case (near the end of the section, or nine or ten bytes).
    @inline(never)
    mutating func varintByteByByte() throws(PFSyncError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            if shift == 63 && byte > 1 { throw invalid("varint longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift &+= 7
        }
    }

    @inline(__always)
    mutating func varint32() throws(PFSyncError) -> UInt32 {
        let value = try varint()
        guard value <= UInt64(UInt32.max) else { throw invalid("value \(value) exceeds 32 bits") }
        return UInt32(value)
    }

    @inline(__always)
    mutating func varint16() throws(PFSyncError) -> UInt16 {
        let value = try varint()
        guard value <= UInt64(UInt16.max) else { throw invalid("value \(value) exceeds 16 bits") }
        return UInt16(value)
    }

    @inline(__always)
    mutating func signed() throws(PFSyncError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    private func truncated() -> PFSyncError {
        PFSyncError(counter: .badlen, offset: offset, reason: "delta section ends inside a record")
    }

    /// Not recoverable inside a section: the next record's start is unknown.
    private func invalid(_ reason: String) -> PFSyncError {
        PFSyncError(counter: .badlen, offset: offset, reason: "delta section: \(reason)")
    }
}
