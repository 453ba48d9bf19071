import PFSyncCore

/// OpenBSD's full state (`struct pfsync_state`, 264 bytes, version 6) (internal).
///
/// Keys are 40 bytes and carry their own routing domain and family; a key family of 0
/// (older senders) decodes as the state's family.
enum OpenBSDStateCodec {
    static let size = 264
    static let id = 0, ifname = 8, key0 = 24, key1 = 64, src = 104, dst = 136, rtAddr = 168
    static let rule = 184, anchor = 188, natRule = 192, creation = 196, expire = 200
    static let packets = 204, bytes = 220, creatorID = 236, rtableID = 240, rtableID2 = 244
    static let maxMSS = 248, af = 250, proto = 251, direction = 252, log = 253, rt = 254
    static let timeout = 255, syncFlags = 256, updates = 257, minTTL = 258, setTOS = 259
    static let stateFlags = 260, setPrio = 262

    /// Decodes the state at `offset` (264 bytes must be available).
    static func decode(_ input: WireInput, at offset: Int) throws(PFSyncError) -> PFState {
        let family = try StateValidation.family(input.u8(offset + af), field: "af", at: offset)
        var state = PFState(identity: input.stateID(offset + id, creatorAt: offset + creatorID), af: family)
        state.ifname = input.interfaceName(offset + ifname)
        let wireKeyAF = input.u8(offset + key0 + 38)
        let stackKeyAF = input.u8(offset + key1 + 38)
        var wireFamily = family
        var stackFamily = family
        if wireKeyAF != 0 || stackKeyAF != 0 {
            wireFamily = try StateValidation.family(wireKeyAF, field: "key[0].af", at: offset)
            stackFamily = try StateValidation.family(stackKeyAF, field: "key[1].af", at: offset)
        }
        state.wireKey = key(input, offset + key0, family: wireFamily)
        state.stackKey = key(input, offset + key1, family: stackFamily)
        state.src = input.peer(offset + src)
        state.dst = input.peer(offset + dst)
        state.rtAddr = input.address(offset + rtAddr)
        state.rule = input.u32(offset + rule)
        state.anchor = input.u32(offset + anchor)
        state.natRule = input.u32(offset + natRule)
        state.creation = input.u32(offset + creation)
        state.expire = input.u32(offset + expire)
        state.packets = input.counters(offset + packets)
        state.bytes = input.counters(offset + bytes)
        state.rtableID = input.i32(offset + rtableID)
        state.rtableID2 = input.i32(offset + rtableID2)
        state.maxMSS = input.u16(offset + maxMSS)
        state.proto = input.u8(offset + proto)
        state.direction = input.u8(offset + direction)
        state.log = input.u8(offset + log)
        state.rt = input.u8(offset + rt)
        state.timeout = input.u8(offset + timeout)
        state.syncFlags = input.u8(offset + syncFlags)
        state.updates = input.u8(offset + updates)
        state.minTTL = input.u8(offset + minTTL)
        state.setTOS = input.u8(offset + setTOS)
        state.stateFlags = input.u16(offset + stateFlags)
        state.setPrio0 = input.u8(offset + setPrio)
        state.setPrio1 = input.u8(offset + setPrio + 1)
        try StateValidation.checkState(state, version: .openBSD, at: offset)
        return state
    }

    /// Encodes `state` at `offset` (264 zeroed bytes).
    static func encode(_ state: PFState, into output: WireOutput, at offset: Int) {
        output.u64(state.identity.id, offset + id)
        output.interfaceName(state.ifname, offset + ifname)
        encodeKey(state.wireKey, output, offset + key0)
        encodeKey(state.stackKey, output, offset + key1)
        output.peer(state.src, offset + src)
        output.peer(state.dst, offset + dst)
        output.address(state.rtAddr, offset + rtAddr)
        output.u32(state.rule, offset + rule)
        output.u32(state.anchor, offset + anchor)
        output.u32(state.natRule, offset + natRule)
        output.u32(state.creation, offset + creation)
        output.u32(state.expire, offset + expire)
        output.counters(state.packets, offset + packets)
        output.counters(state.bytes, offset + bytes)
        output.u32(state.identity.creatorID, offset + creatorID)
        output.i32(state.rtableID, offset + rtableID)
        output.i32(state.rtableID2, offset + rtableID2)
        output.u16(state.maxMSS, offset + maxMSS)
        output.u8(state.af.wireValue(for: .openBSD), offset + af)
        output.u8(state.proto, offset + proto)
        output.u8(state.direction, offset + direction)
        output.u8(state.log, offset + log)
        output.u8(state.rt, offset + rt)
        output.u8(state.timeout, offset + timeout)
        output.u8(state.syncFlags, offset + syncFlags)
        output.u8(state.updates, offset + updates)
        output.u8(state.minTTL, offset + minTTL)
        output.u8(state.setTOS, offset + setTOS)
        output.u16(state.stateFlags, offset + stateFlags)
        output.u8(state.setPrio0, offset + setPrio)
        output.u8(state.setPrio1, offset + setPrio + 1)
    }

    // MARK: - Keys (40 bytes: addr[2], port[2], rdomain, af, pad)

    private static func key(_ input: WireInput, _ offset: Int, family: AddressFamily) -> StateKey {
        StateKey(
            addr0: input.address(offset), addr1: input.address(offset + 16),
            port0: input.u16(offset + 32), port1: input.u16(offset + 34),
            rdomain: input.u16(offset + 36), af: family)
    }

    private static func encodeKey(_ key: StateKey, _ output: WireOutput, _ offset: Int) {
        output.address(key.addr0, offset)
        output.address(key.addr1, offset + 16)
        output.u16(key.port0, offset + 32)
        output.u16(key.port1, offset + 34)
        output.u16(key.rdomain, offset + 36)
        output.u8(key.af.wireValue(for: .openBSD), offset + 38)
    }
}
