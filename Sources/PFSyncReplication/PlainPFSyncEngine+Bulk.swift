import PFSyncCore
import PFSyncWire

extension PlainPFSyncEngine {
    /// Asks the peer for its whole table: UPD_REQ with id 0 and creatorid 0, repeated every
    /// ``EngineConfig/bulkRetryNanos`` until BUS START arrives, given up after
    /// ``EngineConfig/bulkMaxTries`` tries (pfsync's 12).
    public func requestBulk(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        status.bulk.incoming = .requested
        status.bulk.tries = 1
        status.bulk.statesReceived = 0
        bulkStartedNanos = nowNanos
        sendBulkRequest(nowNanos: nowNanos, send: send)
    }

    private func sendBulkRequest(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        lastBulkRequestNanos = nowNanos
        counters[.bulkRequestsSent] += 1
        counters[.updateRequestsSent] += 1
        outbound.append(.updateRequest(.bulkRequest))
        sendOutbound(send: send)
    }

    func retryBulkRequest(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        switch status.bulk.incoming {
        case .requested:
            guard nowNanos &- lastBulkRequestNanos >= config.bulkRetryNanos else { return }
            guard status.bulk.tries < config.bulkMaxTries else {
                status.bulk.incoming = .failed
                return
            }
            status.bulk.tries += 1
            sendBulkRequest(nowNanos: nowNanos, send: send)
        case .receiving:
            if nowNanos &- bulkStartedNanos >= config.bulkTimeoutNanos { status.bulk.incoming = .failed }
        case .idle, .done, .failed:
            break
        }
    }

    /// BUS from the peer: START while we wait for a bulk update, END completes it.
    func applyBulkStatus(_ bulk: BulkStatus) {
        // pfsync: "if we're not waiting for a bulk update, who cares".
        switch bulk.status {
        case BulkStatus.start:
            guard status.bulk.incoming == .requested || status.bulk.incoming == .failed else { return }
            status.bulk.incoming = .receiving
            status.bulk.statesReceived = 0
        case BulkStatus.end:
            guard status.bulk.incoming == .receiving || status.bulk.incoming == .requested else { return }
            status.bulk.incoming = .done
            counters[.bulkCompleted] += 1
            status.bulk.lastDurationMilliseconds = Double(lastReceiveNanos &- bulkStartedNanos) / 1e6
        default:
            break
        }
    }

    /// Starts streaming the whole table: BUS START, a full UPD per state, BUS END. A request
    /// during a running bulk restarts it. The states are those the table holds now (see
    /// ``ReplicationEngine``'s bulk send).
    func startBulkSend(stateNow: UInt32) {
        counters[.bulkRequestsReceived] += 1
        status.bulk.sending = true
        status.bulk.statesSent = 0
        status.bulk.shardsDone = 0
        bulkCursor = (0, 0)
        bulkSlotMarks = table.slotMarks()
        bulkSendStartedSeconds = stateNow
        outbound.append(.bulkStatus(BulkStatus(creatorID: config.nodeID, endTime: 0, status: BulkStatus.start)))
    }

    /// Sends the next slice of a running bulk: at most ``EngineConfig/bulkStatesPerTick``
    /// states per call, so that a receiver's socket buffer is not overrun (there is no
    /// retransmission in plain pfsync).
    func continueBulkSend(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        guard status.bulk.sending else { return }
        var budget = max(1, config.bulkStatesPerTick)
        while budget > 0, bulkCursor.shard < table.shardCount {
            bulkScratch.removeAll(keepingCapacity: true)
            let next = table.copyStates(
                shard: bulkCursor.shard, from: bulkCursor.cursor, max: min(budget, 1024),
                end: bulkSlotMarks[bulkCursor.shard], into: &bulkScratch)
            for state in bulkScratch {
                outbound.append(.update(state.wireTimes(now: stateNow), config.stateEncoding))
            }
            budget -= max(bulkScratch.count, 1)
            status.bulk.statesSent += UInt64(bulkScratch.count)
            counters[.bulkStatesSent] += UInt64(bulkScratch.count)
            if let next {
                bulkCursor.cursor = next
            } else {
                bulkCursor = (bulkCursor.shard + 1, 0)
                status.bulk.shardsDone = bulkCursor.shard
            }
        }
        if bulkCursor.shard >= table.shardCount {
            outbound.append(
                .bulkStatus(
                    BulkStatus(
                        creatorID: config.nodeID, endTime: stateNow &- bulkSendStartedSeconds, status: BulkStatus.end)))
            status.bulk.sending = false
        }
        sendOutbound(send: send)
    }
}
