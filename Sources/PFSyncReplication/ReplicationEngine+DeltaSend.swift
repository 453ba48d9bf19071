import PFSyncCore
import PFSyncWire

/// Delta updates (UPD_D): an update of a state whose base the peer holds carries only
/// what changed since that base (``DeltaUpdate``); the first update after a base was lost
/// goes as UPD_CC and sets the base on both sides. A delta whose version does not follow
/// the receiver's base is not applied: the receiver asks for the full state (UPD_REQ), and
/// the sender, answering, drops its base so that the next update goes as UPD_CC again.
extension ReplicationEngine {
    /// Updates go out as deltas: configured, with counters, and the peer takes them.
    var sendsDeltas: Bool {
        config.deltaUpdates && config.replicateCounters && peerTakesDeltas
    }

    /// The base a state's UPD_CC would set: its peers, counters and wire times. Reads only
    /// those fields (not the whole state).
    @inline(__always)
    func replicationBase(of state: UnsafePointer<PFState>, stateNow: UInt32) -> ReplicationBase {
        ReplicationBase(
            of: state, expire: PFState.secondsRemaining(until: state.pointee.expire, now: stateNow), epoch: baseEpoch)
    }

    /// Queues the update of `state` as UPD_CC (no valid base, or no deltas to this peer);
    /// with deltas, the base becomes what was sent, so that the next update can be one.
    func queueFullUpdate(of state: UnsafePointer<PFState>, base: UnsafeMutablePointer<ReplicationBase>, stateNow: UInt32) {
        laterScratch.append(.compressedUpdate(compressedUpdate(of: state.pointee, stateNow: stateNow)))
        if sendsDeltas { base.pointee = replicationBase(of: state, stateNow: stateNow) }
    }

    /// Makes every base invalid (the peer restarted, or lost frames for good).
    func invalidateBases() {
        baseEpoch &+= 1
        if baseEpoch == 0 { baseEpoch = 1 }
    }

    /// Adds `deltas` records from `start` on to the writer's delta section while the frame
    /// stays under `limit` raw bytes (at least one when `force`); returns the index after
    /// the last one added.
    func appendDeltas(_ deltas: OutgoingDeltas, from start: Int, limit: Int, force: Bool) -> Int {
        let room = min(DeltaSection.maxRecords, deltas.count - start)
        guard room > 0 else { return start }
        let headerAndRecord = DeltaSection.headerSize + DeltaSection.maxRecordSize
        guard force || writer.totalLength + headerAndRecord <= limit else { return start }
        let available = max(headerAndRecord, limit - writer.totalLength)
        let done: Int? = deltas.bodies.withUnsafeBytes { bodies in
            deltas.heads.withUnsafeBufferPointer { heads in
                writer.editTrailer(reserving: available) { base, length -> Int in
                    var context = DeltaContext()
                    var offset = length + DeltaSection.headerSize
                    var index = start
                    while index < start + room {
                        guard offset + DeltaSection.maxRecordSize <= available || index == start else { break }
                        let head = heads[index]
                        let body = UnsafeRawBufferPointer(
                            rebasing: bodies[Int(head.bodyStart)..<Int(head.bodyStart) + Int(head.bodyLength)])
                        offset = DeltaSection.appendRecord(
                            identity: head.identity, version: head.version, fields: head.fields, body: body,
                            context: &context, into: base, at: offset)
                        index += 1
                    }
                    DeltaSection.writeHeader(count: index - start, into: base, at: length)
                    length = offset
                    return index
                }
            }
        }
        return done ?? start
    }
}
