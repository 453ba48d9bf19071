import PFSyncCore

/// Big-endian, unaligned loads from a pfsync packet (internal).
///
/// Offsets are absolute within the packet. Callers check bounds once per sub-header
/// (count x size within the packet) before reading the messages it covers.
struct WireInput {
    /// The first byte of the packet.
    let base: UnsafeRawPointer

    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func i32(_ offset: Int) -> Int32 {
        Int32(bitPattern: u32(offset))
    }

    /// A 64-bit value; also reads a (high u32, low u32) counter pair.
    @inline(__always)
    func u64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func address(_ offset: Int) -> IPAddress {
        IPAddress(high: u64(offset), low: u64(offset + 8))
    }

    @inline(__always)
    func interfaceName(_ offset: Int) -> InterfaceName {
        InterfaceName(high: u64(offset), low: u64(offset + 8))
    }

    @inline(__always)
    func counters(_ offset: Int) -> CounterPair {
        CounterPair(u64(offset), u64(offset + 8))
    }

    @inline(__always)
    func stateID(_ offset: Int, creatorAt creatorOffset: Int) -> StateID {
        StateID(id: u64(offset), creatorID: u32(creatorOffset))
    }

    /// A 32-byte `pfsync_state_peer`.
    @inline(__always)
    func peer(_ offset: Int) -> StatePeer {
        StatePeer(
            scrub: PeerScrub(
                flags: u16(offset), ttl: u8(offset + 2), scrubFlag: u8(offset + 3),
                tsMod: u32(offset + 4)),
            seqLo: u32(offset + 8),
            seqHi: u32(offset + 12),
            seqDiff: u32(offset + 16),
            maxWin: u16(offset + 20),
            mss: u16(offset + 22),
            state: u8(offset + 24),
            wscale: u8(offset + 25)
        )
    }

    func tagName(_ offset: Int) -> TagName {
        TagName(words: (
            u64(offset), u64(offset + 8), u64(offset + 16), u64(offset + 24),
            u64(offset + 32), u64(offset + 40), u64(offset + 48), u64(offset + 56)
        ))
    }
}
