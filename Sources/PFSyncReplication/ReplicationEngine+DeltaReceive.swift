import PFSyncCore
import PFSyncWire

/// The receiving side of delta updates (PROTOCOL.md, "Delta updates"): the delta section
/// of a DATA payload is decoded, applied as one batch per chunk, and what cannot be
/// applied asks for the full state.
extension ReplicationEngine {
    /// Applies the delta section that follows the pfsync packet in a DATA payload, if any:
    /// the records are decoded first, then applied as one batch (``StateTable/updateWithBases(count:id:scratch:_:)``).
    /// Records before a malformed one are applied; the error counts as `badlen`.
    func applyDeltaSection(_ bytes: UnsafeRawBufferPointer, stateNow: UInt32) {
        // Records are decoded in place into slots kept from earlier frames (no copy), in
        // a local array (no exclusivity check per record).
        var decoded = 0
        var records: [DeltaUpdate] = []
        swap(&records, &deltasReceived)
        do throws(PFSyncError) {
            if var reader = try DeltaSectionReader(payload: bytes) {
                while true {
                    if decoded == records.count {
                        records.append(DeltaUpdate(identity: StateID(id: 0, creatorID: 0), version: 0))
                    }
                    guard try reader.next(into: &records[decoded]) else { break }
                    decoded += 1
                }
            }
        } catch {
            counters[.badlen] += 1
        }
        swap(&records, &deltasReceived)
        applyDeltas(count: decoded, stateNow: stateNow)
    }

    /// Applies the first `count` of ``deltasReceived``: each moves its state's base on and is merged into the
    /// state by pfsync's stale rules, as an UPD_CC with the same values would be. What
    /// needs a message back (stale, unknown state, base mismatch) is handled after the
    /// batch, outside the table's locks.
    func applyDeltas(count: Int, stateNow: UInt32) {
        guard count > 0, count <= deltasReceived.count else { return }
        counters[.messagesReceived] += UInt64(count)
        counters.countAction(ReplicationCounters.deltaUpdateActionIndex, incoming: true, UInt64(count))
        deltaFollowUps.removeAll(keepingCapacity: true)
        var applied: UInt64 = 0
        var mismatches: UInt64 = 0
        var updates: [DeltaUpdate] = []
        var followUps: [DeltaFollowUp] = []
        swap(&updates, &deltasReceived)
        swap(&followUps, &deltaFollowUps)
        // One pipelined batch (the table prefetches a step ahead of what it applies).
        updates.withUnsafeBufferPointer { buffer in
            guard let updates = buffer.baseAddress else { return }
            table.updateWithBases(count: count, id: { updates[$0].identity }, scratch: &batchScratch) {
                index, local, base in
                let update = updates + index
                switch Self.apply(update, to: local, base: base, stateNow: stateNow) {
                case .applied:
                    applied += 1
                case .stale:
                    applied += 1
                    followUps.append(DeltaFollowUp(identity: update.pointee.identity, kind: .stale))
                case .mismatch:
                    mismatches += 1
                    followUps.append(DeltaFollowUp(identity: update.pointee.identity, kind: .unknown))
                case .unknown:
                    followUps.append(DeltaFollowUp(identity: update.pointee.identity, kind: .unknown))
                }
            }
        }
        swap(&updates, &deltasReceived)
        swap(&followUps, &deltaFollowUps)
        counters[.statesUpdated] += applied
        counters[.deltaMismatches] += mismatches
        for followUp in deltaFollowUps {
            switch followUp.kind {
            case .unknown: requestFullState(followUp.identity)
            case .stale: sendOursBack(followUp.identity, stateNow: stateNow)
            }
        }
    }

    /// pfsync: an update the state cannot take asks the peer for the full state.
    func requestFullState(_ id: StateID) {
        outbound.append(.updateRequest(id))
        counters[.updateRequestsSent] += 1
    }
}

/// What applying one delta did.
enum DeltaResult {
    /// Applied (the state took the sender's values, or kept its own newer ones).
    case applied
    /// Applied, but our state was newer: send ours back.
    case stale
    /// The base did not hold the version before this one: not applied.
    case mismatch
    /// No such state: not applied.
    case unknown
}

extension ReplicationEngine {
    /// Applies one delta to its state and base (under the shard lock): checks the base's
    /// version, moves the base on, and merges the result into the state by pfsync's rules.
    @inline(__always)
    static func apply(
        _ update: UnsafePointer<DeltaUpdate>, to local: UnsafeMutablePointer<PFState>?,
        base: UnsafeMutablePointer<ReplicationBase>?, stateNow: UInt32
    ) -> DeltaResult {
        guard let local, let base else { return .unknown }
        guard base.pointee.epoch != 0, base.pointee.version &+ 1 == update.pointee.version else {
            base.pointee = .none
            return .mismatch
        }
        update.pointee.apply(to: &base.pointee)
        let merged = PeerMerge.merge(
            into: &local.pointee, src: base.pointee.src, dst: base.pointee.dst,
            timeout: base.pointee.timeout, expire: stateNow &+ base.pointee.expire,
            counters: StateCounters(packets: base.pointee.packets, bytes: base.pointee.bytes))
        return merged.stalePeers > 0 ? .stale : .applied
    }
}

/// A delta that needs a message back once its batch is applied.
struct DeltaFollowUp {
    enum Kind {
        /// Unknown state, or a base that does not match: ask for the full state.
        case unknown
        /// The peer's values were older than ours: count it and send ours back.
        case stale
    }

    var identity: StateID
    var kind: Kind
}
