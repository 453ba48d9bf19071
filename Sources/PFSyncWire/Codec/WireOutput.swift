import PFSyncCore

/// Big-endian, unaligned stores into a packet buffer (internal). Padding is never written:
/// the writer hands out zeroed space.
struct WireOutput {
    /// The first byte of the packet.
    let base: UnsafeMutableRawPointer

    @inline(__always)
    func u8(_ value: UInt8, _ offset: Int) {
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func u16(_ value: UInt16, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inline(__always)
    func u32(_ value: UInt32, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    func i32(_ value: Int32, _ offset: Int) {
        u32(UInt32(bitPattern: value), offset)
    }

    @inline(__always)
    func u64(_ value: UInt64, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }

    @inline(__always)
    func address(_ value: IPAddress, _ offset: Int) {
        u64(value.high, offset)
        u64(value.low, offset + 8)
    }

    @inline(__always)
    func interfaceName(_ value: InterfaceName, _ offset: Int) {
        u64(value.high, offset)
        u64(value.low, offset + 8)
    }

    @inline(__always)
    func counters(_ value: CounterPair, _ offset: Int) {
        u64(value.forward, offset)
        u64(value.reverse, offset + 8)
    }

    /// A 32-byte `pfsync_state_peer` (the 6 pad bytes stay zero).
    @inline(__always)
    func peer(_ value: StatePeer, _ offset: Int) {
        u16(value.scrub.flags, offset)
        u8(value.scrub.ttl, offset + 2)
        u8(value.scrub.scrubFlag, offset + 3)
        u32(value.scrub.tsMod, offset + 4)
        u32(value.seqLo, offset + 8)
        u32(value.seqHi, offset + 12)
        u32(value.seqDiff, offset + 16)
        u16(value.maxWin, offset + 20)
        u16(value.mss, offset + 22)
        u8(value.state, offset + 24)
        u8(value.wscale, offset + 25)
    }

    func tagName(_ value: TagName, _ offset: Int) {
        u64(value.word0, offset)
        u64(value.word1, offset + 8)
        u64(value.word2, offset + 16)
        u64(value.word3, offset + 24)
        u64(value.word4, offset + 32)
        u64(value.word5, offset + 40)
        u64(value.word6, offset + 48)
        u64(value.word7, offset + 56)
    }
}
