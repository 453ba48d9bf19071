import PFSyncCore
import PFSyncWire

/// How `pfsyncd decode` shows the delta updates (UPD_D) of a sync frame's delta section:
/// the state, the base version the update makes, and each field it carries (differences
/// as signed numbers, new values as they are). Without the base they cannot be turned into
/// absolute values; the receiver does that.
enum DeltaText {
    /// `UPD_D id 0x.../0x... base version 7 src.seqlo +1460 packets +1/+0 ...`.
    static func describe(_ update: DeltaUpdate) -> String {
        var text = "UPD_D id \(update.identity) base version \(update.version)"
        for (name, value) in fields(update) { text += " \(name) \(value)" }
        return text
    }

    /// The carried fields in mask order, as (name, value) pairs.
    static func fields(_ update: DeltaUpdate) -> [(String, String)] {
        var out: [(String, String)] = []
        let fields = update.fields
        func signed(_ difference: UInt32) -> String {
            let value = Int32(bitPattern: difference)
            return value >= 0 ? "+\(value)" : "\(value)"
        }
        if fields.contains(.srcSeqLo) { out.append(("src.seqlo", signed(update.srcSeqLo))) }
        if fields.contains(.srcSeqHi) { out.append(("src.seqhi", signed(update.srcSeqHi))) }
        if fields.contains(.dstSeqLo) { out.append(("dst.seqlo", signed(update.dstSeqLo))) }
        if fields.contains(.dstSeqHi) { out.append(("dst.seqhi", signed(update.dstSeqHi))) }
        if fields.contains(.packets) { out.append(("packets", "+\(update.packets.forward)/+\(update.packets.reverse)")) }
        if fields.contains(.bytes) { out.append(("bytes", "+\(update.bytes.forward)/+\(update.bytes.reverse)")) }
        if fields.contains(.expire) { out.append(("expire", "\(update.expire)")) }
        if fields.contains(.srcMaxWin) { out.append(("src.max_win", "\(update.srcMaxWin)")) }
        if fields.contains(.dstMaxWin) { out.append(("dst.max_win", "\(update.dstMaxWin)")) }
        if fields.contains(.srcOther) { out.append(("src.state", "\(update.srcOther.state)")) }
        if fields.contains(.dstOther) { out.append(("dst.state", "\(update.dstOther.state)")) }
        if fields.contains(.timeout) { out.append(("timeout", "\(update.timeout)")) }
        return out
    }
}

extension JSONLine {
    /// One delta update as an object: `version` (the frame's pfsync version, as for every
    /// message), `action` "UPD_D", `id`, `creatorid`, `base_version`, then the carried
    /// fields (differences as signed strings, e.g. "+1460").
    mutating func delta(_ update: DeltaUpdate, pfsyncVersion: UInt8) {
        beginObject()
        field("version", pfsyncVersion)
        field("action", "UPD_D")
        field("id", Hex.u64(update.identity.id))
        field("creatorid", Hex.u32(update.identity.creatorID))
        field("base_version", update.version)
        for (name, value) in DeltaText.fields(update) { field(name, value) }
        endObject()
    }
}
