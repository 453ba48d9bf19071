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
            if status.bulk.incoming == .receiving || status.bulk.incoming == .requested {
                status.bulk.incoming = .done
                counters[.bulkCompleted] += 1
                status.bulk.lastDurationMilliseconds = Double(lastReceiveNanos &- bulkStartedNanos) / 1e6
            }
        default:
            break
        }
    }

    /// Starts streaming the whole table to the peer: BUS START, a full UPD per state,
    /// BUS END. A request during a running bulk restarts it from the beginning.
    func startBulkSend(stateNow: UInt32) {
        status.bulk.sending = true
        status.bulk.statesSent = 0
        status.bulk.shardsDone = 0
        bulkCursor = (0, 0)
        bulkSendStartedSeconds = stateNow
        outbound.append(.bulkStatus(BulkStatus(creatorID: config.nodeID, endTime: 0, status: BulkStatus.start)))
    }

    /// Sends the next slice of a running bulk (bounded per tick so live updates go on).
    func continueBulkSend(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        guard status.bulk.sending else { return }
        var budget = config.bulkStatesPerTick
        while budget > 0, bulkCursor.shard < table.shardCount {
            bulkScratch.removeAll(keepingCapacity: true)
            let next = table.copyStates(
                shard: bulkCursor.shard, from: bulkCursor.cursor, max: min(budget, 1024), into: &bulkScratch)
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
        sendOutbound(nowNanos: nowNanos, send: send)
    }
}
