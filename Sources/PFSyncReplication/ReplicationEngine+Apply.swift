import PFSyncCore
import PFSyncWire

extension ReplicationEngine {
    /// Applies one delivered DATA payload (a pfsync packet) to the table. Messages before a
    /// malformed one are kept; the error is counted under its pfsync counter.
    func apply(payload: [UInt8], stateNow: UInt32) {
        payload.withUnsafeBytes { apply(payload: $0, stateNow: stateNow) }
    }

    /// Applies one delivered DATA payload from raw bytes. Full states are decoded in place
    /// into a reused batch rather than boxed per message; runs of full UPDs (bulk updates)
    /// are applied together once their index buckets are prefetched. Message order is
    /// kept: a run is applied before whatever follows it.
    func apply(payload bytes: UnsafeRawBufferPointer, stateNow: UInt32) {
        followPeerRun()
        var batch: [PFState] = []
        swap(&batch, &fullStateBatch)
        var pending = 0
        let failure: PFSyncError? = {
            do throws(PFSyncError) {
                var reader = try PFSyncPacketReader(bytes)
                while true {
                    do throws(PFSyncError) {
                        if pending == batch.count { batch.append(PFState(identity: StateID(id: 0, creatorID: 0))) }
                        guard let item = try reader.next(unboxing: &batch[pending]) else { return nil }
                        if case .fullState(.update, _) = item {
                            pending += 1
                            continue
                        }
                        applyFullUpdates(&batch, count: pending, stateNow: stateNow)
                        if pending > 0 {
                            // The item just decoded sits after the run: move it to the front.
                            batch.swapAt(0, pending)
                            pending = 0
                        }
                        switch item {
                        case .message(let message):
                            apply(message, stateNow: stateNow)
                        case .fullState(.update, _):
                            break
                        case .fullState(.insert, let encoding):
                            apply(.insert(batch[0], encoding), stateNow: stateNow)
                        case .fullState(.delete, _):
                            apply(.delete(batch[0]), stateNow: stateNow)
                        }
                    } catch where error.isRecoverable {
                        // badval: pf skips the one message and goes on.
                        count(error.counter)
                    }
                }
            } catch {
                return error
            }
        }()
        applyFullUpdates(&batch, count: pending, stateNow: stateNow)
        swap(&batch, &fullStateBatch)
        if let failure { count(failure.counter) }
        applyDeltaSection(bytes, stateNow: stateNow)
    }

    /// Applies the first `count` states of `batch` as full UPDs, their buckets prefetched:
    /// what ``apply(_:stateNow:)`` does for `.update`, with the counters (properties of
    /// this class, each change checked for exclusive access) added once per run.
    private func applyFullUpdates(_ batch: inout [PFState], count: Int, stateNow: UInt32) {
        guard count > 0 else { return }
        var tally = FullStateTally()
        // Through a pointer: each state is read where it lies, not copied out of the array.
        batch.withUnsafeMutableBufferPointer { states in
            guard let state = states.baseAddress else { return }
            table.prefetchBuckets(for: UnsafeBufferPointer(rebasing: states[0..<count]))
            for index in 0..<count {
                states[index].toLocalTimes(now: stateNow)
                tally.add(applyFull(at: state + index, stateNow: stateNow), creator: states[index].identity.creatorID)
            }
        }
        let amount = UInt64(count)
        counters[.messagesReceived] += amount
        counters.countAction(Self.updateActionIndex, incoming: true, amount)
        tally.flush(into: &counters)
        if status.bulk.incoming == .receiving {
            status.bulk.statesReceived += amount
            counters[.bulkStatesReceived] += amount
        }
    }

    private func count(_ counter: PFSyncCounter) {
        switch counter {
        case .hdrops: counters[.hdrops] += 1
        case .badver: counters[.badver] += 1
        case .badact: counters[.badact] += 1
        case .badlen: counters[.badlen] += 1
        case .badval: counters[.badval] += 1
        }
    }

    /// Before a delivered payload is applied: the states it inserts are marked as the
    /// peer's run (``markedPeerRun``); if that run is not the one whose states are marked,
    /// those marks are cleared first (the peer restarted and holds none of them, or another
    /// peer speaks). Unmarking is always safe: a bulk answer then sends a state the peer
    /// may already hold.
    private func followPeerRun() {
        let run = deliveringPeerRun
        guard run != markedPeerRun else { return }
        if markedPeerRun != nil { table.clearPeerMarks() }
        markedPeerRun = run
    }

    /// Applies one pfsync message, following pfsync's rules.
    func apply(_ message: PFSyncMessage, stateNow: UInt32) {
        counters[.messagesReceived] += 1
        counters.countAction(message.actionIndex, incoming: true)
        switch message {
        case .insert(let state, _) where state.stateFlags & PFStateFlags.ack != 0:
            // The sender defers a packet until we acknowledge (pfsync answers INS_ACK at once).
            var local = state.withLocalTimes(now: stateNow)
            local.stateFlags &= ~PFStateFlags.ack
            applyFullCounting(local, stateNow: stateNow)
            takeInsertBase(of: state)
            outbound.append(.insertAck(state.identity))
        case .insert(let state, _):
            applyFullCounting(state.withLocalTimes(now: stateNow), stateNow: stateNow)
            takeInsertBase(of: state)
            if status.bulk.incoming == .receiving {
                status.bulk.statesReceived += 1
                counters[.bulkStatesReceived] += 1
            }
        case .update(let state, _):
            applyFullCounting(state.withLocalTimes(now: stateNow), stateNow: stateNow)
            if status.bulk.incoming == .receiving {
                status.bulk.statesReceived += 1
                counters[.bulkStatesReceived] += 1
            }
        case .compressedUpdate(let update):
            applyCompressed(update, stateNow: stateNow)
        case .compressedDelete(let id):
            if table.remove(id, recordChange: false) != nil { counters[.statesDeleted] += 1 }
        case .delete(let state):
            if table.remove(state.identity, recordChange: false) != nil { counters[.statesDeleted] += 1 }
        case .updateRequest(let id):
            if id == .bulkRequest {
                counters[.bulkRequestsReceived] += 1
                answerBulkRequest(stateNow: stateNow, from: markedPeerRun)
            } else if let state = table.updateWithBase(id, side: .sent, { state, base -> PFState in
                // The peer could not use a delta: the next update goes as UPD_CC.
                base = .none
                return state
            }) {
                outbound.append(.update(state.wireTimes(now: stateNow), config.stateEncoding))
            }
        case .bulkStatus(let bulk):
            applyBulkStatus(bulk)
        case .clear(let ifname, let creatorID):
            counters[.statesDeleted] += UInt64(table.removeAll(creatorID: creatorID, ifname: ifname, recordChange: false))
        case .insertAck(let id):
            config.insertAcknowledgements?.acknowledge(id)
        case .tdb, .eof:
            break
        }
    }

    /// A full state (INS, UPD): ``applyFull(_:stateNow:)`` and its counters.
    private func applyFullCounting(_ incoming: PFState, stateNow: UInt32) {
        var tally = FullStateTally()
        tally.add(withUnsafePointer(to: incoming) { applyFull(at: $0, stateNow: stateNow) }, creator: incoming.identity.creatorID)
        tally.flush(into: &counters)
    }

    /// A full state (INS, UPD, bulk): insert it, or merge it into ours by pfsync's stale
    /// rules. The caller counts the outcome (``FullStateTally``).
    /// The state is read through a pointer: passed by value it would be copied whole (384
    /// bytes) on its way in, once per state of a bulk update.
    private func applyFull(at incoming: UnsafePointer<PFState>, stateNow: UInt32) -> FullStateTally.Outcome {
        let fromPeer = markedPeerRun != nil
        let outcome = table.updateOrInsert(at: incoming, recordChange: false, fromPeer: fromPeer) {
            local -> PeerMerge.Outcome in
            PeerMerge.merge(into: &local, fullState: incoming)
        }
        switch outcome {
        case .updated(let merged):
            if merged.stalePeers > 0 { sendOursBack(incoming.pointee.identity, stateNow: stateNow) }
            return .updated
        case .inserted:
            return .inserted
        case .keyConflict:
            // Another state holds this flow (pf refuses such an import too).
            return .keyConflict
        }
    }

    private func applyCompressed(_ update: CompressedUpdate, stateNow: UInt32) {
        let expire = stateNow &+ update.expire
        let epoch = baseEpoch
        let outcome = table.updateWithBase(update.identity, side: .received) { local, base in
            let outcome = PeerMerge.merge(
                into: &local, src: update.src, dst: update.dst, timeout: update.timeout, expire: expire,
                counters: update.counters)
            if let counters = update.counters {
                // UPD_CC sets the base the sender's next delta updates refer to.
                base = ReplicationBase(
                    src: update.src, dst: update.dst, packets: counters.packets, bytes: counters.bytes,
                    expire: update.expire, timeout: update.timeout, version: 0, epoch: epoch)
            }
            return outcome
        }
        guard let outcome else {
            // pfsync: an update for a state we do not know asks the peer for the full state.
            requestFullState(update.identity)
            return
        }
        counters[.statesUpdated] += 1
        if outcome.stalePeers > 0 { sendOursBack(update.identity, stateNow: stateNow) }
    }

    /// An INS (`sent`, as on the wire: expiry in seconds remaining) becomes the received
    /// base of its state, version 0, as an UPD_CC's would: the sender made it its sent base
    /// when it sent the INS, so its first update of the state is already a delta. Nothing
    /// happens when the state is not here (refused for a key another state holds): the
    /// first delta then asks for the full state.
    func takeInsertBase(of sent: PFState) {
        let received = withUnsafePointer(to: sent) { ReplicationBase(of: $0, expire: sent.expire, epoch: baseEpoch) }
        table.updateWithBase(sent.identity, side: .received) { _, base in base = received }
    }

    /// pfsync: when the peer's update was stale, count it and send our newer state back.
    /// The UPD_CC sets the peer's received base, so ours (the sent one) becomes the same.
    func sendOursBack(_ id: StateID, stateNow: UInt32) {
        counters[.stale] += 1
        let deltas = sendsDeltas
        let update = table.updateWithBase(id, side: .sent) { state, base -> CompressedUpdate in
            if deltas {
                withUnsafePointer(to: state) { base = replicationBase(of: $0, stateNow: stateNow) }
            }
            return compressedUpdate(of: state, stateNow: stateNow)
        }
        guard let update else { return }
        outbound.append(.compressedUpdate(update))
    }
}
