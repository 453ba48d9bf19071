import PFSyncCore

/// The sender's fast path: encodes a state's change since its base straight from the
/// table (no ``DeltaUpdate`` in between) as a record *body* (the fields after the id), and
/// moves the base on. ``DeltaSection/appendRecord(identity:version:fields:body:context:into:at:)``
/// later puts the record's head (mask, creator, version, id) in front of it. The bytes are
/// exactly what ``DeltaSection/encode(_:context:into:at:)`` writes for the same change.
public enum DeltaBodyEncoder {
    /// The largest body.
    public static let maxBodySize = 120

    /// Writes at `out` (room for ``maxBodySize`` bytes) the fields of `state` (with wire
    /// expiry `expire`) that differ from `base`, then makes `base` equal to them with the
    /// next version. Returns the fields written and the body length.
    @inline(__always)
    public static func encodeChange(
        base: UnsafeMutablePointer<ReplicationBase>, state: UnsafePointer<PFState>, expire: UInt32,
        into out: UnsafeMutableRawPointer
    ) -> (fields: DeltaFields, length: Int) {
        var cursor = DeltaOutputCursor(base: out, offset: 0)
        var fields: DeltaFields = []
        let src = state.pointee.src
        let dst = state.pointee.dst
        if src.seqLo != base.pointee.src.seqLo {
            fields.insert(.srcSeqLo)
            cursor.signed(Int64(Int32(bitPattern: src.seqLo &- base.pointee.src.seqLo)))
        }
        if src.seqHi != base.pointee.src.seqHi {
            fields.insert(.srcSeqHi)
            cursor.signed(Int64(Int32(bitPattern: src.seqHi &- base.pointee.src.seqHi)))
        }
        if dst.seqLo != base.pointee.dst.seqLo {
            fields.insert(.dstSeqLo)
            cursor.signed(Int64(Int32(bitPattern: dst.seqLo &- base.pointee.dst.seqLo)))
        }
        if dst.seqHi != base.pointee.dst.seqHi {
            fields.insert(.dstSeqHi)
            cursor.signed(Int64(Int32(bitPattern: dst.seqHi &- base.pointee.dst.seqHi)))
        }
        let packets = state.pointee.packets
        if packets != base.pointee.packets {
            fields.insert(.packets)
            cursor.varint(packets.forward &- base.pointee.packets.forward)
            cursor.varint(packets.reverse &- base.pointee.packets.reverse)
        }
        let bytes = state.pointee.bytes
        if bytes != base.pointee.bytes {
            fields.insert(.bytes)
            cursor.varint(bytes.forward &- base.pointee.bytes.forward)
            cursor.varint(bytes.reverse &- base.pointee.bytes.reverse)
        }
        if expire != base.pointee.expire {
            fields.insert(.expire)
            cursor.varint(UInt64(expire))
        }
        if src.maxWin != base.pointee.src.maxWin {
            fields.insert(.srcMaxWin)
            cursor.varint(UInt64(src.maxWin))
        }
        if dst.maxWin != base.pointee.dst.maxWin {
            fields.insert(.dstMaxWin)
            cursor.varint(UInt64(dst.maxWin))
        }
        if !DeltaUpdate.sameOther(src, base.pointee.src) {
            fields.insert(.srcOther)
            DeltaSection.encodeOther(src, &cursor)
        }
        if !DeltaUpdate.sameOther(dst, base.pointee.dst) {
            fields.insert(.dstOther)
            DeltaSection.encodeOther(dst, &cursor)
        }
        let timeout = state.pointee.timeout
        if timeout != base.pointee.timeout {
            fields.insert(.timeout)
            cursor.u8(timeout)
        }
        base.pointee.src = src
        base.pointee.dst = dst
        base.pointee.packets = packets
        base.pointee.bytes = bytes
        base.pointee.expire = expire
        base.pointee.timeout = timeout
        base.pointee.version &+= 1
        return (fields, cursor.offset)
    }
}

extension DeltaSection {
    /// Writes a record at `offset`: its head (mask, creator when it changes, version, id
    /// difference) and then `body` from ``DeltaBodyEncoder``. The caller guarantees room
    /// for ``maxRecordSize`` bytes. Returns the offset after the record.
    @inline(__always)
    public static func appendRecord(
        identity: StateID, version: UInt8, fields: DeltaFields, body: UnsafeRawBufferPointer,
        context: inout DeltaContext, into base: UnsafeMutableRawPointer, at offset: Int
    ) -> Int {
        var out = DeltaOutputCursor(base: base, offset: offset)
        var mask = fields
        let newCreator = !context.hasCreator || context.creatorID != identity.creatorID
        if newCreator { mask.insert(.creator) }
        out.varint(UInt64(mask.rawValue))
        if newCreator {
            out.u32(identity.creatorID)
            context.creatorID = identity.creatorID
            context.hasCreator = true
        }
        out.u8(version)
        out.signed(Int64(bitPattern: identity.id &- context.previousID))
        context.previousID = identity.id
        if let source = body.baseAddress, body.count > 0 {
            (base + out.offset).copyMemory(from: source, byteCount: body.count)
        }
        return out.offset + body.count
    }
}
