import PFSyncCore
import PFSyncWire

extension ReplicationEngine {
    /// Asks the peer for its whole table (HELLO with BULK_REQUEST; pfsync's UPD_REQ 0/0),
    /// repeated every ``EngineConfig/bulkRetryNanos`` until BUS START arrives.
    public func requestBulk(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        status.bulk.incoming = .requested
        status.bulk.tries = 1
        status.bulk.statesReceived = 0
        bulkStartedNanos = nowNanos
        lastBulkRequestNanos = nowNanos
        counters[.bulkRequestsSent] += 1
        sendHello(options: [.bulkRequest], send: send)
    }

    func retryBulkRequest(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        if bulkRequestDue {
            bulkRequestDue = false
            requestBulk(nowNanos: nowNanos, send: send)
            return
        }
        switch status.bulk.incoming {
        case .requested:
            guard nowNanos &- lastBulkRequestNanos >= config.bulkRetryNanos else { return }
            guard status.bulk.tries < config.bulkMaxTries else {
                status.bulk.incoming = .failed
                return
            }
            status.bulk.tries += 1
            lastBulkRequestNanos = nowNanos
            counters[.bulkRequestsSent] += 1
            sendHello(options: [.bulkRequest], send: send)
        case .receiving:
            if nowNanos &- bulkStartedNanos >= config.bulkTimeoutNanos { status.bulk.incoming = .failed }
        case .idle, .done, .failed:
            break
        }
    }

    func applyBulkStatus(_ bulk: BulkStatus) {
        switch bulk.status {
        case BulkStatus.start:
            status.bulk.incoming = .receiving
            status.bulk.statesReceived = 0
        case BulkStatus.end:
            if bulkRequestAfterEnd, status.bulk.incoming == .receiving {
                // Frames were lost during this bulk: the next tick asks for another.
                bulkRequestAfterEnd = false
                bulkRequestDue = true
            } else if status.bulk.incoming == .receiving || status.bulk.incoming == .requested {
                status.bulk.incoming = .done
                counters[.bulkCompleted] += 1
                status.bulk.lastDurationMilliseconds = Double(lastReceiveNanos &- bulkStartedNanos) / 1e6
            }
        default:
            break
        }
    }

    /// Answers a peer's bulk request. While a bulk from the peer is coming in, our table is
    /// being filled from the peer's: the answer waits until that bulk has ended (the next
    /// tick after it starts it), so that a node taking a bulk does not also stream its
    /// half-filled table back at the same time.
    /// The answer holds the states held when the request came (the latest, when the peer
    /// asked again meanwhile): those that come in later are the peer's, or this node's,
    /// which go to the peer as live changes. (Older marks would be wrong for a repeat that is
    /// a new request: a peer that lost some of our live changes asks again, and those
    /// changes are above the first request's marks.) It leaves out the states that came
    /// whole from the asking peer's run (`requester`) and were not changed here since: that
    /// run holds them (see ``markedPeerRun``).
    func answerBulkRequest(stateNow: UInt32, from requester: PeerRun?) {
        let marks = table.slotMarks()
        if status.bulk.incoming == .receiving {
            bulkAnswerDue = true
            bulkAnswerMarks = marks
            bulkAnswerPeerRun = requester
        } else {
            bulkAnswerDue = false
            startBulkSend(stateNow: stateNow, marks: marks, for: requester)
        }
    }

    /// Starts a bulk answer that waited for the end of our own incoming bulk.
    func startDueBulkAnswer(stateNow: UInt32) {
        guard bulkAnswerDue, status.bulk.incoming != .receiving else { return }
        bulkAnswerDue = false
        startBulkSend(stateNow: stateNow, marks: bulkAnswerMarks, for: bulkAnswerPeerRun)
    }

    /// Starts streaming the whole table to the peer: BUS START, a full UPD per state,
    /// BUS END. A request during a running bulk restarts it from the beginning. The states
    /// are those below `marks` (``StateTable/slotMarks()``; default: taken now): one
    /// inserted while the bulk runs is either this node's (its INS goes out as a live
    /// change) or came from the peer. States marked as the run `peer`'s are left out while
    /// the marks are that run's (nil: none is left out).
    func startBulkSend(stateNow: UInt32, marks: [Int]? = nil, for peer: PeerRun?) {
        bulkSendPeerRun = peer
        status.bulk.sending = true
        status.bulk.statesSent = 0
        status.bulk.shardsDone = 0
        bulkCursor = (0, 0)
        bulkSlotMarks = marks ?? table.slotMarks()
        bulkScratch.removeAll(keepingCapacity: true)
        bulkScratchSent = 0
        bulkSendStartedSeconds = stateNow
        outbound.append(.bulkStatus(BulkStatus(creatorID: config.nodeID, endTime: 0, status: BulkStatus.start)))
    }

    /// Sends the next slices of a running bulk (bounded per tick so live updates go on).
    /// States are copied out of the table a slice at a time and encoded straight into the
    /// frames (no message box per state); what was queued before (BUS START, live
    /// changes) goes out first, BUS END after the last state. All within the flow
    /// control's room: copied states the window holds back wait for the next tick.
    func continueBulkSend(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        guard status.bulk.sending else { return }
        sendOutbound(nowNanos: nowNanos, send: send)
        guard !hasQueued, sendBulkScratch(nowNanos: nowNanos, send: send) else { return }
        var budget = min(
            config.bulkStatesPerTick,
            bulkStatesPerFrame.items(inFrames: sendRoom(nowNanos: nowNanos)))
        while budget > 0, bulkCursor.shard < table.shardCount {
            bulkScratch.removeAll(keepingCapacity: true)
            bulkScratchSent = 0
            let batch = min(budget, Self.bulkBatchStates)
            // Copied a slice per hold of a shard lock, sent a batch at a time (fewer frames
            // cut short at the end of a batch).
            while bulkScratch.count < batch, bulkCursor.shard < table.shardCount {
                let next = table.copyStates(
                    shard: bulkCursor.shard, from: bulkCursor.cursor,
                    max: min(batch - bulkScratch.count, Self.bulkSliceStates), end: bulkSlotMarks[bulkCursor.shard],
                    skippingPeerStates: bulkSendPeerRun != nil && bulkSendPeerRun == markedPeerRun,
                    into: &bulkScratch)
                if let next {
                    bulkCursor.cursor = next
                } else {
                    bulkCursor = (bulkCursor.shard + 1, 0)
                    status.bulk.shardsDone = bulkCursor.shard
                }
            }
            // One access to the scratch for the whole slice (not one checked access per state).
            bulkScratch.withUnsafeMutableBufferPointer { states in
                for index in states.indices { states[index].toWireTimes(now: stateNow) }
            }
            budget -= max(bulkScratch.count, 1)
            guard sendBulkScratch(nowNanos: nowNanos, send: send) else { return }
        }
        if bulkCursor.shard >= table.shardCount {
            outbound.append(
                .bulkStatus(
                    BulkStatus(
                        creatorID: config.nodeID, endTime: stateNow &- bulkSendStartedSeconds, status: BulkStatus.end)))
            status.bulk.sending = false
        }
        sendOutbound(nowNanos: nowNanos, send: send)
    }

    /// Sends the copied bulk states not sent yet, as many frames as the window lets out.
    /// Returns true when none is left.
    private func sendBulkScratch(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard bulkScratchSent < bulkScratch.count else { return true }
        let room = sendRoom(nowNanos: nowNanos)
        guard room > 0 else { return false }
        let updateIndex = Self.updateActionIndex
        let first = bulkScratchSent
        // The states are encoded where they lie in the scratch: read through a pointer, not
        // copied out of the array (384 bytes each) on their way to the writer.
        let sent = bulkScratch.withUnsafeBufferPointer { states -> FramedItems in
            // Not empty: the guard above saw states left to send.
            guard let base = states.baseAddress else { return FramedItems(frames: 0, itemsEnd: first, deltasEnd: 0) }
            return sendFrames(
                items: first..<states.count, nowNanos: nowNanos, maxFrames: room,
                compressionAcceleration: Self.bulkCompressionAcceleration, send: send,
                append: { writer, index in writer.appendFullState(at: base + index, insert: false) },
                countSent: { range in self.counters.countAction(updateIndex, incoming: false, UInt64(range.count)) })
        }
        let states = sent.itemsEnd - first
        bulkStatesPerFrame.record(items: states, frames: sent.frames)
        bulkScratchSent = sent.itemsEnd
        status.bulk.statesSent += UInt64(states)
        counters[.bulkStatesSent] += UInt64(states)
        return bulkScratchSent >= bulkScratch.count
    }
}

extension ReplicationEngine {
    /// UPD's index in ``ReplicationCounters/actionNames`` (what ``PFSyncMessage/actionIndex`` gives a
    /// `.update` message).
    static let updateActionIndex = 3

    /// States a bulk send copies out of the table per hold of a shard lock: 256 states are
    /// 96 KiB, so a packet of that shard waits behind at most that copy (a hold used to
    /// copy up to 4096 states, 1.5 MiB).
    static let bulkSliceStates = 256

    /// States a bulk send encodes into frames at a time (copied in slices).
    static let bulkBatchStates = 4096

    /// LZ4's acceleration for bulk frames. Full states are long and alike, so LZ4 finds its
    /// matches anyway: at 4 a bulk of 1 M states took 48.4 wire bytes per state instead of
    /// 52 and about 6% less time (BENCHMARKS.md, session 10); at 16 it took 80 bytes and
    /// longer. Live changes keep 1 (at 4 they took 7.3 bytes per update instead of 7.0,
    /// for no CPU the two-daemon benchmark could see).
    static let bulkCompressionAcceleration: Int32 = 4
}

extension PFState {
    /// ``wireTimes(now:)`` in place (no copy of the state).
    @inline(__always)
    mutating func toWireTimes(now: UInt32) {
        creation = now >= creation ? now - creation : 0
        expire = Self.secondsRemaining(until: expire, now: now)
    }

    /// ``withLocalTimes(now:)`` in place.
    @inline(__always)
    mutating func toLocalTimes(now: UInt32) {
        creation = now >= creation ? now - creation : 0
        expire = now &+ expire
    }
}
