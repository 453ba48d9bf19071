import PFSyncCore
import PFSyncWire

/// The receiving side of delta updates (PROTOCOL.md, "Delta updates"): the records of a
/// DATA payload's delta section are decoded and applied in one pipelined table batch, and
/// what cannot be applied asks for the full state.
extension ReplicationEngine {
    /// Applies the delta section that follows the pfsync packet in a DATA payload, if any.
    /// Each delta moves its state's received base on and is merged into the state by
    /// pfsync's stale rules, as an UPD_CC with the same values would be.
    ///
    /// Records are decoded a pipeline step at a time, inside the batch
    /// (``StateTable/updateWithBases(count:produce:id:scratch:_:)``), so that decoding
    /// overlaps the cache misses of the steps before; they go in place into slots kept from
    /// earlier frames. Records before a malformed one are applied; the error counts as
    /// `badlen`. What needs a message back (stale, unknown state, base mismatch) is handled
    /// after the batch, outside the table's locks.
    func applyDeltaSection(_ bytes: UnsafeRawBufferPointer, stateNow: UInt32) {
        var reader: DeltaSectionReader
        do throws(PFSyncError) {
            guard let opened = try DeltaSectionReader(payload: bytes) else { return }
            reader = opened
        } catch {
            counters[.badlen] += 1
            return
        }
        let announced = reader.remaining
        // Local arrays: no exclusivity check per record.
        var records: [DeltaUpdate] = []
        var followUps: [DeltaFollowUp] = []
        swap(&records, &deltasReceived)
        swap(&followUps, &deltaFollowUps)
        followUps.removeAll(keepingCapacity: true)
        if records.count < announced {
            records.append(
                contentsOf: repeatElement(
                    DeltaUpdate(identity: StateID(id: 0, creatorID: 0), version: 0), count: announced - records.count))
        }
        var malformed = false
        var decoded = 0
        var applied: UInt64 = 0
        var mismatches: UInt64 = 0
        records.withUnsafeMutableBufferPointer { buffer in
            guard let updates = buffer.baseAddress, announced > 0 else { return }
            table.updateWithBases(
                count: announced,
                produce: { range in
                    for index in range {
                        do throws(PFSyncError) {
                            guard try reader.next(into: &updates[index]) else { break }
                        } catch {
                            malformed = true
                            break
                        }
                        decoded += 1
                    }
                    return decoded - range.lowerBound
                },
                id: { updates[$0].identity }, scratch: &batchScratch
            ) { index, local, base in
                let update = UnsafePointer(updates + index)
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
        if !malformed {
            // After the announced records: nothing may be left over.
            var extra = DeltaUpdate(identity: StateID(id: 0, creatorID: 0), version: 0)
            do throws(PFSyncError) {
                if try reader.next(into: &extra) { malformed = true }
            } catch {
                malformed = true
            }
        }
        swap(&records, &deltasReceived)
        swap(&followUps, &deltaFollowUps)
        if malformed { counters[.badlen] += 1 }
        guard decoded > 0 else { return }
        counters[.messagesReceived] += UInt64(decoded)
        counters.countAction(ReplicationCounters.deltaUpdateActionIndex, incoming: true, UInt64(decoded))
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
