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

    /// The base a state's UPD_CC would set: its peers, counters and wire times.
    func replicationBase(of state: PFState, stateNow: UInt32) -> ReplicationBase {
        ReplicationBase(
            src: state.src, dst: state.dst, packets: state.packets, bytes: state.bytes,
            expire: state.expire >= stateNow ? state.expire - stateNow : 0, timeout: state.timeout,
            version: 0, epoch: baseEpoch)
    }

    /// Queues the update of `state`: a delta against its base when the base is valid,
    /// else UPD_CC; either way the base becomes what was sent.
    func queueUpdate(of state: PFState, base: UnsafeMutablePointer<ReplicationBase>, stateNow: UInt32) {
        var current = replicationBase(of: state, stateNow: stateNow)
        if base.pointee.isValid(in: baseEpoch) {
            let update = DeltaUpdate(identity: state.identity, from: base.pointee, to: current)
            current.version = update.version
            deltaScratch.append(update)
        } else {
            laterScratch.append(.compressedUpdate(compressedUpdate(of: state, stateNow: stateNow)))
        }
        base.pointee = current
    }

    /// Makes every base invalid (the peer restarted, or lost frames for good).
    func invalidateBases() {
        baseEpoch &+= 1
        if baseEpoch == 0 { baseEpoch = 1 }
    }

    /// Adds `updates[start...]` to the writer's delta section while the frame
    /// stays under `limit` raw bytes (at least one when `force`); returns the index after
    /// the last one added.
    func appendDeltas(_ updates: [DeltaUpdate], from start: Int, limit: Int, force: Bool) -> Int {
        var end = start
        let room = min(DeltaSection.maxRecords, updates.count - start)
        guard room > 0 else { return start }
        let headerAndRecord = DeltaSection.headerSize + DeltaSection.maxRecordSize
        guard force || writer.totalLength + headerAndRecord <= limit else { return start }
        let available = max(headerAndRecord, limit - writer.totalLength)
        let done: Int? = writer.editTrailer(reserving: available) { base, length -> Int in
            var context = DeltaContext()
            var offset = length + DeltaSection.headerSize
            var index = start
            while index < start + room {
                guard offset + DeltaSection.maxRecordSize <= available || index == start else { break }
                offset = DeltaSection.encode(updates[index], context: &context, into: base, at: offset)
                index += 1
            }
            DeltaSection.writeHeader(count: index - start, into: base, at: length)
            length = offset
            return index
        }
        end = done ?? start
        return end
    }

    /// Applies the delta section that follows the pfsync packet in a DATA payload, if any.
    func applyDeltaSection(_ bytes: UnsafeRawBufferPointer, stateNow: UInt32) {
        guard bytes.count >= 4 else { return }
        let packetLength = Int(bytes[2]) << 8 | Int(bytes[3])
        guard packetLength < bytes.count else { return }
        do throws(PFSyncError) {
            guard var reader = try DeltaSectionReader(bytes, at: packetLength) else { return }
            while let update = try reader.next() {
                applyDelta(update, stateNow: stateNow)
            }
        } catch {
            counters[.badlen] += 1
        }
    }

    /// What applying one delta found.
    private enum DeltaOutcome {
        case applied(PeerMerge.Outcome)
        case mismatch
    }

    /// Applies one delta: moves the state's base on and merges the result into the state
    /// by pfsync's stale rules, as an UPD_CC with the same values would be.
    func applyDelta(_ update: DeltaUpdate, stateNow: UInt32) {
        counters[.messagesReceived] += 1
        counters.countAction(ReplicationCounters.deltaUpdateActionIndex, incoming: true)
        let outcome = table.updateWithBase(update.identity) { local, base -> DeltaOutcome in
            guard base.epoch != 0, base.version &+ 1 == update.version else {
                base = .none
                return .mismatch
            }
            update.apply(to: &base)
            let merged = PeerMerge.merge(
                into: &local, src: base.src, dst: base.dst, timeout: base.timeout, expire: stateNow &+ base.expire)
            if merged.refreshed {
                local.packets = base.packets
                local.bytes = base.bytes
            }
            return .applied(merged)
        }
        switch outcome {
        case .applied(let merged):
            counters[.statesUpdated] += 1
            if merged.stalePeers > 0 { sendOursBack(update.identity, stateNow: stateNow) }
        case .mismatch:
            counters[.deltaMismatches] += 1
            requestFullState(update.identity)
        case nil:
            requestFullState(update.identity)
        }
    }

    /// pfsync: an update the state cannot take asks the peer for the full state.
    func requestFullState(_ id: StateID) {
        outbound.append(.updateRequest(id))
        counters[.updateRequestsSent] += 1
    }
}
