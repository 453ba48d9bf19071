import PFSyncCore

/// FreeBSD's full states: formats 1301 (242 bytes), 1400 (277) and 1500 (360) (internal).
///
/// All three share the first 232 bytes (id .. creatorid). Fields a format lacks decode as
/// zero; the keys' families follow the state's family except 1500's `stack_af`.
enum FreeBSDStateCodec {
    // Offsets of the shared prefix.
    static let id = 0, ifname = 8, key0 = 24, key1 = 60, src = 96, dst = 128, rtAddr = 160
    static let rule = 176, anchor = 180, natRule = 184, creation = 188, expire = 192
    static let packets = 196, bytes = 212, creatorID = 228

    /// Decodes the state at `offset`, which must have `format.stateSize` bytes available,
    /// into the caller's state (every field is set: those the format lacks get their
    /// defaults), without a state-sized copy on the way back.
    static func decode(
        _ input: WireInput, at offset: Int, format: StateEncoding, into state: inout PFState
    ) throws(PFSyncError) {
        state = PFState(identity: input.stateID(offset + id, creatorAt: offset + creatorID))
        state.ifname = input.interfaceName(offset + ifname)
        state.wireKey = key(input, offset + key0)
        state.stackKey = key(input, offset + key1)
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
        if format == .freeBSD1500 {
            try decodeTail1500(input, at: offset, into: &state)
        } else {
            try decodeTail1301(input, at: offset, format: format, into: &state)
        }
        try StateValidation.checkState(state, version: .freeBSD, at: offset)
    }

    /// Encodes `state` in `format` at `offset` (zeroed space of `format.stateSize` bytes).
    static func encode(_ state: PFState, format: StateEncoding, into output: WireOutput, at offset: Int) {
        withUnsafePointer(to: state) { encode($0, format: format, into: output, at: offset) }
    }

    /// ``encode(_:format:into:at:)`` of the state at `state`, read field by field where it
    /// lies (a state passed by value is copied whole, 384 bytes, on its way in).
    static func encode(_ state: UnsafePointer<PFState>, format: StateEncoding, into output: WireOutput, at offset: Int) {
        output.u64(state.pointee.identity.id, offset + id)
        output.interfaceName(state.pointee.ifname, offset + ifname)
        encodeKey(state.pointee.wireKey, output, offset + key0)
        encodeKey(state.pointee.stackKey, output, offset + key1)
        output.peer(state.pointee.src, offset + src)
        output.peer(state.pointee.dst, offset + dst)
        output.address(state.pointee.rtAddr, offset + rtAddr)
        output.u32(state.pointee.rule, offset + rule)
        output.u32(state.pointee.anchor, offset + anchor)
        output.u32(state.pointee.natRule, offset + natRule)
        output.u32(state.pointee.creation, offset + creation)
        output.u32(state.pointee.expire, offset + expire)
        output.counters(state.pointee.packets, offset + packets)
        output.counters(state.pointee.bytes, offset + bytes)
        output.u32(state.pointee.identity.creatorID, offset + creatorID)
        if format == .freeBSD1500 {
            encodeTail1500(state, output, offset)
        } else {
            encodeTail1301(state, format: format, output, offset)
        }
    }

    // MARK: - Keys (36 bytes: addr[2], port[2])

    private static func key(_ input: WireInput, _ offset: Int) -> StateKey {
        StateKey(
            addr0: input.address(offset), addr1: input.address(offset + 16),
            port0: input.u16(offset + 32), port1: input.u16(offset + 34))
    }

    private static func encodeKey(_ key: StateKey, _ output: WireOutput, _ offset: Int) {
        output.address(key.addr0, offset)
        output.address(key.addr1, offset + 16)
        output.u16(key.port0, offset + 32)
        output.u16(key.port1, offset + 34)
    }

    // MARK: - 1301 / 1400 tail (from byte 232)

    private static func decodeTail1301(
        _ input: WireInput, at offset: Int, format: StateEncoding, into state: inout PFState
    ) throws(PFSyncError) {
        let af = try StateValidation.family(input.u8(offset + 232), field: "af", at: offset)
        state.af = af
        state.wireKey.af = af
        state.stackKey.af = af
        state.proto = input.u8(offset + 233)
        state.direction = input.u8(offset + 234)
        if format == .freeBSD1301 {
            state.stateFlags = UInt16(input.u8(offset + 238))
        } else {
            state.stateFlags = input.u16(offset + 235)
        }
        state.log = input.u8(offset + 237)
        state.timeout = input.u8(offset + 239)
        state.syncFlags = input.u8(offset + 240)
        state.updates = input.u8(offset + 241)
        guard format == .freeBSD1400 else { return }
        state.qid = input.u16(offset + 242)
        state.pqid = input.u16(offset + 244)
        state.dnpipe = input.u16(offset + 246)
        state.dnrpipe = input.u16(offset + 248)
        state.rtableID = input.i32(offset + 250)
        state.minTTL = input.u8(offset + 254)
        state.setTOS = input.u8(offset + 255)
        state.maxMSS = input.u16(offset + 256)
        state.setPrio0 = input.u8(offset + 258)
        state.setPrio1 = input.u8(offset + 259)
        state.rt = input.u8(offset + 260)
        state.rtIfname = input.interfaceName(offset + 261)
    }

    private static func encodeTail1301(
        _ state: UnsafePointer<PFState>, format: StateEncoding, _ output: WireOutput, _ offset: Int
    ) {
        output.u8(state.pointee.af.wireValue(for: .freeBSD), offset + 232)
        output.u8(state.pointee.proto, offset + 233)
        output.u8(state.pointee.direction, offset + 234)
        if format == .freeBSD1301 {
            output.u8(UInt8(truncatingIfNeeded: state.pointee.stateFlags), offset + 238)
        } else {
            output.u16(state.pointee.stateFlags, offset + 235)
        }
        output.u8(state.pointee.log, offset + 237)
        output.u8(state.pointee.timeout, offset + 239)
        output.u8(state.pointee.syncFlags, offset + 240)
        output.u8(state.pointee.updates, offset + 241)
        guard format == .freeBSD1400 else { return }
        output.u16(state.pointee.qid, offset + 242)
        output.u16(state.pointee.pqid, offset + 244)
        output.u16(state.pointee.dnpipe, offset + 246)
        output.u16(state.pointee.dnrpipe, offset + 248)
        output.i32(state.pointee.rtableID, offset + 250)
        output.u8(state.pointee.minTTL, offset + 254)
        output.u8(state.pointee.setTOS, offset + 255)
        output.u16(state.pointee.maxMSS, offset + 256)
        output.u8(state.pointee.setPrio0, offset + 258)
        output.u8(state.pointee.setPrio1, offset + 259)
        output.u8(state.pointee.rt, offset + 260)
        output.interfaceName(state.pointee.rtIfname, offset + 261)
    }

    // MARK: - 1500 tail (from byte 232; 1500 has no sync_flags / updates)

    private static func decodeTail1500(
        _ input: WireInput, at offset: Int, into state: inout PFState
    ) throws(PFSyncError) {
        state.tagName = input.tagName(offset + 232)
        state.rtIfname = input.interfaceName(offset + 296)
        state.origIfname = input.interfaceName(offset + 312)
        state.rtableID = input.i32(offset + 328)
        state.stateFlags = input.u16(offset + 332)
        state.qid = input.u16(offset + 334)
        state.pqid = input.u16(offset + 336)
        state.dnpipe = input.u16(offset + 338)
        state.dnrpipe = input.u16(offset + 340)
        state.maxMSS = input.u16(offset + 342)
        let wireAF = try StateValidation.family(input.u8(offset + 344), field: "wire_af", at: offset)
        state.af = wireAF
        state.wireKey.af = wireAF
        let stackAF = input.u8(offset + 345)
        if stackAF == 0 {
            state.stackKey.af = wireAF
        } else {
            state.stackKey.af = try StateValidation.family(stackAF, field: "stack_af", at: offset)
        }
        let rtAF = input.u8(offset + 346)
        if rtAF != 0 {
            state.rtAF = try StateValidation.family(rtAF, field: "rt_af", at: offset)
        }
        state.proto = input.u8(offset + 347)
        state.stackProto = input.u8(offset + 348)
        state.log = input.u8(offset + 349)
        state.timeout = input.u8(offset + 350)
        state.direction = input.u8(offset + 351)
        state.rt = input.u8(offset + 352)
        state.minTTL = input.u8(offset + 353)
        state.setTOS = input.u8(offset + 354)
        state.setPrio0 = input.u8(offset + 355)
        state.setPrio1 = input.u8(offset + 356)
    }

    private static func encodeTail1500(_ state: UnsafePointer<PFState>, _ output: WireOutput, _ offset: Int) {
        output.tagName(state.pointee.tagName, offset + 232)
        output.interfaceName(state.pointee.rtIfname, offset + 296)
        output.interfaceName(state.pointee.origIfname, offset + 312)
        output.i32(state.pointee.rtableID, offset + 328)
        output.u16(state.pointee.stateFlags, offset + 332)
        output.u16(state.pointee.qid, offset + 334)
        output.u16(state.pointee.pqid, offset + 336)
        output.u16(state.pointee.dnpipe, offset + 338)
        output.u16(state.pointee.dnrpipe, offset + 340)
        output.u16(state.pointee.maxMSS, offset + 342)
        output.u8(state.pointee.af.wireValue(for: .freeBSD), offset + 344)
        output.u8(state.pointee.stackKey.af.wireValue(for: .freeBSD), offset + 345)
        output.u8(state.pointee.rtAF?.wireValue(for: .freeBSD) ?? 0, offset + 346)
        output.u8(state.pointee.proto, offset + 347)
        output.u8(state.pointee.stackProto == 0 ? state.pointee.proto : state.pointee.stackProto, offset + 348)
        output.u8(state.pointee.log, offset + 349)
        output.u8(state.pointee.timeout, offset + 350)
        output.u8(state.pointee.direction, offset + 351)
        output.u8(state.pointee.rt, offset + 352)
        output.u8(state.pointee.minTTL, offset + 353)
        output.u8(state.pointee.setTOS, offset + 354)
        output.u8(state.pointee.setPrio0, offset + 355)
        output.u8(state.pointee.setPrio1, offset + 356)
    }
}
