import PFSyncCore
import PFSyncWire

/// The delta updates of one flush, waiting to be framed: each record's body (its fields,
/// encoded straight from the table by ``DeltaBodyEncoder``) in one byte arena, and its
/// head (id, version, fields) beside it. The head is written when the record is framed,
/// because the id is sent as a difference from the previous record of the same frame.
/// Reused from flush to flush: no allocation once grown.
struct OutgoingDeltas {
    struct Head {
        var identity: StateID
        var version: UInt8
        var fields: DeltaFields
        var bodyStart: Int32
        var bodyLength: UInt8
    }

    var heads: [Head] = []
    var bodies: [UInt8] = []
    var bodyUsed = 0
    /// Records before this one are sent (the flow control held back the others).
    var firstUnsent = 0

    var count: Int { heads.count }
    var isEmpty: Bool { heads.isEmpty }
    /// Records not sent yet.
    var unsentCount: Int { heads.count - firstUnsent }
    var hasUnsent: Bool { firstUnsent < heads.count }

    /// The same records, the first unsent one at `index`.
    func unsent(from index: Int) -> OutgoingDeltas {
        var copy = self
        copy.firstUnsent = index
        return copy
    }

    /// Encodes the change of `state` since `base` (and moves the base on).
    mutating func append(state: UnsafePointer<PFState>, base: UnsafeMutablePointer<ReplicationBase>, expire: UInt32) {
        if bodies.count < bodyUsed + DeltaBodyEncoder.maxBodySize {
            bodies.append(contentsOf: repeatElement(0, count: max(bodies.count, 4 * DeltaBodyEncoder.maxBodySize)))
        }
        let start = bodyUsed
        let (fields, length) = bodies.withUnsafeMutableBytes { raw in
            DeltaBodyEncoder.encodeChange(base: base, state: state, expire: expire, into: raw.baseAddress! + start)
        }
        heads.append(
            Head(
                identity: state.pointee.identity, version: base.pointee.version, fields: fields,
                bodyStart: Int32(truncatingIfNeeded: start), bodyLength: UInt8(truncatingIfNeeded: length)))
        bodyUsed = start + length
    }

    mutating func removeAll() {
        heads.removeAll(keepingCapacity: true)
        bodyUsed = 0
        firstUnsent = 0
    }
}
