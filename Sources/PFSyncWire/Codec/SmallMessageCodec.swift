import PFSyncCore

/// The fixed-size messages: CLR, INS_ACK, UPD_C, UPD_REQ, DEL_C, BUS, TDB (internal).
/// Offsets are relative to the message start.
enum SmallMessageCodec {
    // MARK: - CLR (20): ifname[16], creatorid

    static func decodeClear(_ input: WireInput, at offset: Int) -> PFSyncMessage {
        .clear(ifname: input.interfaceName(offset), creatorID: input.u32(offset + 16))
    }

    static func encodeClear(ifname: InterfaceName, creatorID: UInt32, _ output: WireOutput, at offset: Int) {
        output.interfaceName(ifname, offset)
        output.u32(creatorID, offset + 16)
    }

    // MARK: - INS_ACK, UPD_REQ, DEL_C (12): id, creatorid

    @inline(__always)
    static func decodeStateID(_ input: WireInput, at offset: Int) -> StateID {
        input.stateID(offset, creatorAt: offset + 8)
    }

    static func encodeStateID(_ identity: StateID, _ output: WireOutput, at offset: Int) {
        output.u64(identity.id, offset)
        output.u32(identity.creatorID, offset + 8)
    }

    // MARK: - UPD_C (84): id, src, dst, creatorid, expire, timeout, state_flags (OpenBSD), pad

    @inline(__always)
    static func decodeCompressedUpdate(
        _ input: WireInput, at offset: Int, version: PFSyncVersion
    ) throws(PFSyncError) -> CompressedUpdate {
        let update = CompressedUpdate(
            identity: input.stateID(offset, creatorAt: offset + 72),
            src: input.peer(offset + 8),
            dst: input.peer(offset + 40),
            expire: input.u32(offset + 76),
            timeout: input.u8(offset + 80),
            stateFlags: version == .openBSD ? input.u8(offset + 81) : 0
        )
        try StateValidation.checkPeersAndTimeout(
            src: update.src, dst: update.dst, timeout: update.timeout, version: version, at: offset)
        return update
    }

    static func encodeCompressedUpdate(
        _ update: CompressedUpdate, version: PFSyncVersion, _ output: WireOutput, at offset: Int
    ) {
        output.u64(update.identity.id, offset)
        output.peer(update.src, offset + 8)
        output.peer(update.dst, offset + 40)
        output.u32(update.identity.creatorID, offset + 72)
        output.u32(update.expire, offset + 76)
        output.u8(update.timeout, offset + 80)
        if version == .openBSD { output.u8(update.stateFlags, offset + 81) }
    }

    // MARK: - BUS (12): creatorid, endtime, status, pad[3]

    static func decodeBulkStatus(_ input: WireInput, at offset: Int) throws(PFSyncError) -> BulkStatus {
        let status = BulkStatus(
            creatorID: input.u32(offset), endTime: input.u32(offset + 4), status: input.u8(offset + 8))
        guard status.status == BulkStatus.start || status.status == BulkStatus.end else {
            throw PFSyncError(counter: .badval, offset: offset, reason: "BUS status \(status.status) is not START or END")
        }
        return status
    }

    static func encodeBulkStatus(_ status: BulkStatus, _ output: WireOutput, at offset: Int) {
        output.u32(status.creatorID, offset)
        output.u32(status.endTime, offset + 4)
        output.u8(status.status, offset + 8)
    }

    // MARK: - TDB: spi, sockaddr_union dst (28), rpl, cur_bytes, sproto, updates, rdomain/pad
    // FreeBSD (48): rpl u32 at 32, cur_bytes at 36, sproto 44, updates 45, pad 46.
    // OpenBSD (52): rpl u64 at 32, cur_bytes at 40, sproto 48, updates 49, rdomain 50.

    static func decodeTDB(_ input: WireInput, at offset: Int, version: PFSyncVersion) -> TDBMessage {
        var tdb = TDBMessage(
            spi: input.u32(offset),
            dstLength: input.u8(offset + 4),
            dstFamily: input.u8(offset + 5),
            dstPort: input.u16(offset + 6),
            dstFlowInfo: input.u32(offset + 8),
            dstAddress: input.address(offset + 12),
            dstScopeID: input.u32(offset + 28)
        )
        if version == .freeBSD {
            tdb.rpl = UInt64(input.u32(offset + 32))
            tdb.curBytes = input.u64(offset + 36)
            tdb.sproto = input.u8(offset + 44)
            tdb.updates = input.u8(offset + 45)
        } else {
            tdb.rpl = input.u64(offset + 32)
            tdb.curBytes = input.u64(offset + 40)
            tdb.sproto = input.u8(offset + 48)
            tdb.updates = input.u8(offset + 49)
            tdb.rdomain = input.u16(offset + 50)
        }
        return tdb
    }

    /// FreeBSD's `rpl` is 32 bits: larger values are cut to their low 32 bits.
    static func encodeTDB(_ tdb: TDBMessage, version: PFSyncVersion, _ output: WireOutput, at offset: Int) {
        output.u32(tdb.spi, offset)
        output.u8(tdb.dstLength, offset + 4)
        output.u8(tdb.dstFamily, offset + 5)
        output.u16(tdb.dstPort, offset + 6)
        output.u32(tdb.dstFlowInfo, offset + 8)
        output.address(tdb.dstAddress, offset + 12)
        output.u32(tdb.dstScopeID, offset + 28)
        if version == .freeBSD {
            output.u32(UInt32(truncatingIfNeeded: tdb.rpl), offset + 32)
            output.u64(tdb.curBytes, offset + 36)
            output.u8(tdb.sproto, offset + 44)
            output.u8(tdb.updates, offset + 45)
        } else {
            output.u64(tdb.rpl, offset + 32)
            output.u64(tdb.curBytes, offset + 40)
            output.u8(tdb.sproto, offset + 48)
            output.u8(tdb.updates, offset + 49)
            output.u16(tdb.rdomain, offset + 50)
        }
    }
}
