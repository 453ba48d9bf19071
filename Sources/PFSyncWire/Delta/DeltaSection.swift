import PFSyncCore

/// The delta section of a pfsyncd DATA payload: it follows the pfsync packet (past the
/// header's `len`, where pfsync readers stop) and holds ``DeltaUpdate`` records.
///
/// Layout: marker 0xD1, count u16 (big-endian), then `count` records, then nothing. A
/// record: mask (varint, ``DeltaFields``); creator u32 when the mask says so; version u8;
/// id as a zigzag varint difference from the previous record's id (0 for the first); then
/// each field of the mask in bit order (PROTOCOL.md, "Delta updates").
public enum DeltaSection {
    /// The section's first byte.
    public static let marker: UInt8 = 0xD1
    /// Marker and count.
    public static let headerSize = 3
    /// The largest record (every field at its longest), for room checks.
    public static let maxRecordSize = 136
    /// Most records in one section.
    public static let maxRecords = Int(UInt16.max)

    /// Writes the section header for `count` records at `offset`.
    public static func writeHeader(count: Int, into base: UnsafeMutableRawPointer, at offset: Int) {
        base.storeBytes(of: marker, toByteOffset: offset, as: UInt8.self)
        base.storeBytes(of: UInt16(clamping: count).bigEndian, toByteOffset: offset + 1, as: UInt16.self)
    }

    /// Encodes `update` at `offset` (the caller guarantees ``maxRecordSize`` bytes of room)
    /// and returns the offset after it.
    public static func encode(
        _ update: DeltaUpdate, context: inout DeltaContext, into base: UnsafeMutableRawPointer, at offset: Int
    ) -> Int {
        var out = DeltaOutputCursor(base: base, offset: offset)
        var fields = update.fields
        let newCreator = !context.hasCreator || context.creatorID != update.identity.creatorID
        if newCreator { fields.insert(.creator) }
        out.varint(UInt64(fields.rawValue))
        if newCreator {
            out.u32(update.identity.creatorID)
            context.creatorID = update.identity.creatorID
            context.hasCreator = true
        }
        out.u8(update.version)
        out.signed(Int64(bitPattern: update.identity.id &- context.previousID))
        context.previousID = update.identity.id
        if fields.contains(.srcSeqLo) { out.signed(Int64(Int32(bitPattern: update.srcSeqLo))) }
        if fields.contains(.srcSeqHi) { out.signed(Int64(Int32(bitPattern: update.srcSeqHi))) }
        if fields.contains(.dstSeqLo) { out.signed(Int64(Int32(bitPattern: update.dstSeqLo))) }
        if fields.contains(.dstSeqHi) { out.signed(Int64(Int32(bitPattern: update.dstSeqHi))) }
        if fields.contains(.packets) {
            out.varint(update.packets.forward)
            out.varint(update.packets.reverse)
        }
        if fields.contains(.bytes) {
            out.varint(update.bytes.forward)
            out.varint(update.bytes.reverse)
        }
        if fields.contains(.expire) { out.varint(UInt64(update.expire)) }
        if fields.contains(.srcMaxWin) { out.varint(UInt64(update.srcMaxWin)) }
        if fields.contains(.dstMaxWin) { out.varint(UInt64(update.dstMaxWin)) }
        if fields.contains(.srcOther) { encodeOther(update.srcOther, &out) }
        if fields.contains(.dstOther) { encodeOther(update.dstOther, &out) }
        if fields.contains(.timeout) { out.u8(update.timeout) }
        return out.offset
    }

    static func encodeOther(_ peer: StatePeer, _ out: inout DeltaOutputCursor) {
        out.u8(peer.state)
        out.u8(peer.wscale)
        out.varint(UInt64(peer.mss))
        out.varint(UInt64(peer.seqDiff))
        out.varint(UInt64(peer.scrub.flags))
        out.u8(peer.scrub.ttl)
        out.u8(peer.scrub.scrubFlag)
        out.varint(UInt64(peer.scrub.tsMod))
    }
}

/// Reads a delta section record by record, never outside its bytes. Errors are `badlen`
/// (cut short, bad marker, bytes left over) and end the section; records read before an
/// error stay valid.
public struct DeltaSectionReader {
    private var input: DeltaInputCursor
    private var context = DeltaContext()
    /// Records not read yet.
    public private(set) var remaining: Int

    /// Opens the section that starts at `offset` of `bytes`; nil when nothing follows
    /// `offset` (a payload without a delta section).
    public init?(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(PFSyncError) {
        guard offset < bytes.count, let base = bytes.baseAddress else { return nil }
        guard offset >= 0, bytes.count - offset >= DeltaSection.headerSize,
            bytes[offset] == DeltaSection.marker
        else {
            throw PFSyncError(
                counter: .badlen, offset: offset,
                reason: "\(bytes.count - max(0, offset)) bytes after the pfsync packet are not a delta section")
        }
        remaining = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
        input = DeltaInputCursor(base: base, offset: offset + DeltaSection.headerSize, end: bytes.count)
    }

    /// Opens the delta section of a pfsyncd DATA payload: it starts where the pfsync
    /// packet ends (the header's `len`, bytes 2-3); nil when the payload ends there.
    public init?(payload bytes: UnsafeRawBufferPointer) throws(PFSyncError) {
        guard bytes.count >= 4 else { return nil }
        try self.init(bytes, at: Int(bytes[2]) << 8 | Int(bytes[3]))
    }

    /// The next record, or nil after the last (with no bytes left over).
    public mutating func next() throws(PFSyncError) -> DeltaUpdate? {
        var update = DeltaUpdate(identity: StateID(id: 0, creatorID: 0), version: 0)
        return try next(into: &update) ? update : nil
    }

    /// Decodes the next record into `update` (no copy of the record); false after the last
    /// (with no bytes left over).
    public mutating func next(into update: inout DeltaUpdate) throws(PFSyncError) -> Bool {
        guard remaining > 0 else {
            guard input.offset == input.end else {
                throw PFSyncError(
                    counter: .badlen, offset: input.offset,
                    reason: "\(input.end - input.offset) bytes follow the last delta record")
            }
            return false
        }
        remaining -= 1
        do throws(PFSyncError) {
            try decodeRecord(into: &update)
            return true
        } catch {
            remaining = 0
            throw error
        }
    }

    private mutating func decodeRecord(into update: inout DeltaUpdate) throws(PFSyncError) {
        let start = input.offset
        let mask = try input.varint16()
        var fields = DeltaFields(rawValue: mask)
        guard DeltaFields.known.isSuperset(of: fields) else {
            throw PFSyncError(counter: .badlen, offset: start, reason: "delta record with unknown field bits \(mask)")
        }
        if fields.contains(.creator) {
            context.creatorID = try input.u32()
            context.hasCreator = true
            fields.remove(.creator)
        } else if !context.hasCreator {
            throw PFSyncError(counter: .badlen, offset: start, reason: "first delta record names no creator")
        }
        let version = try input.u8()
        let id = context.previousID &+ UInt64(bitPattern: try input.signed())
        context.previousID = id
        update.identity = StateID(id: id, creatorID: context.creatorID)
        update.version = version
        update.fields = fields
        if fields.contains(.srcSeqLo) { update.srcSeqLo = try seqDifference() }
        if fields.contains(.srcSeqHi) { update.srcSeqHi = try seqDifference() }
        if fields.contains(.dstSeqLo) { update.dstSeqLo = try seqDifference() }
        if fields.contains(.dstSeqHi) { update.dstSeqHi = try seqDifference() }
        if fields.contains(.packets) { update.packets = CounterPair(try input.varint(), try input.varint()) }
        if fields.contains(.bytes) { update.bytes = CounterPair(try input.varint(), try input.varint()) }
        if fields.contains(.expire) { update.expire = try input.varint32() }
        if fields.contains(.srcMaxWin) { update.srcMaxWin = try input.varint16() }
        if fields.contains(.dstMaxWin) { update.dstMaxWin = try input.varint16() }
        if fields.contains(.srcOther) { update.srcOther = try decodeOther() }
        if fields.contains(.dstOther) { update.dstOther = try decodeOther() }
        if fields.contains(.timeout) { update.timeout = try input.u8() }
    }

    private mutating func seqDifference() throws(PFSyncError) -> UInt32 {
        let value = try input.signed()
        guard value >= Int64(Int32.min), value <= Int64(Int32.max) else {
            throw PFSyncError(counter: .badlen, offset: input.offset, reason: "sequence difference \(value) exceeds 32 bits")
        }
        return UInt32(bitPattern: Int32(value))
    }

    private mutating func decodeOther() throws(PFSyncError) -> StatePeer {
        var peer = StatePeer.empty
        peer.state = try input.u8()
        peer.wscale = try input.u8()
        peer.mss = try input.varint16()
        peer.seqDiff = try input.varint32()
        peer.scrub.flags = try input.varint16()
        peer.scrub.ttl = try input.u8()
        peer.scrub.scrubFlag = try input.u8()
        peer.scrub.tsMod = try input.varint32()
        return peer
    }
}
