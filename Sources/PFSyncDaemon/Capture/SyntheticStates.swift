import PFSyncCore

/// The states of a ``SyntheticLoad``: state `index` has a key no other index has
/// (10.x.y.z:port -> 192.0.2.1:443) and an id derived from the index, so the writer can
/// update it by id without a lookup table of its own.
enum SyntheticStates {
    /// The id of state `index`.
    @inline(__always)
    static func id(_ index: Int, creatorID: UInt32) -> StateID {
        StateID(id: UInt64(index) &+ 1, creatorID: creatorID)
    }

    /// An established TCP state, expiring `lifetime` seconds after `now`.
    static func state(_ index: Int, creatorID: UInt32, now: UInt32, lifetime: UInt32 = 86_400) -> PFState {
        let host = UInt32(truncatingIfNeeded: index / 50_000)
        let port = UInt16(truncatingIfNeeded: 10_000 + index % 50_000)
        let wire = StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0000 | (host & 0xFF_FFFF)), addr1: IPAddress(ipv4: 0xC000_0201),
            port0: port, port1: 443)
        var state = PFState(identity: id(index, creatorID: creatorID), proto: 6, wireKey: wire)
        let seed = UInt32(truncatingIfNeeded: index)
        state.src = StatePeer(seqLo: seed &* 7919, seqHi: seed &* 7919 &+ 65_535, maxWin: 65_535, mss: 1460, state: 4, wscale: 7)
        state.dst = StatePeer(
            seqLo: seed &* 104_729, seqHi: seed &* 104_729 &+ 65_535, maxWin: 65_535, mss: 1460, state: 4, wscale: 7)
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.creation = now
        state.expire = now &+ lifetime
        state.ifname = InterfaceName("synth0")
        return state
    }

    /// What one forwarded TCP segment of `bytes` bytes does to an established state.
    @inline(__always)
    static func forward(_ state: inout PFState, bytes: UInt32, now: UInt32) {
        state.src.seqLo &+= bytes
        state.src.seqHi &+= bytes
        state.dst.seqHi &+= bytes
        state.packets.forward &+= 1
        state.bytes.forward &+= UInt64(bytes) &+ 40
        state.expire = now &+ 86_400
    }
}
