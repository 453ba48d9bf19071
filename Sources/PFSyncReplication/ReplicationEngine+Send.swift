import PFSyncCore
import PFSyncWire

extension ReplicationEngine {
    /// The pfsync message pfsync itself would send for a change: INS for a new state,
    /// UPD_C for a change, DEL_C for a deletion.
    func message(for delta: StateDelta, stateNow: UInt32) -> PFSyncMessage {
        switch delta.kind {
        case .insert:
            var state = delta.state.wireTimes(now: stateNow)
            if config.deferInserts { state.stateFlags |= PFStateFlags.ack }
            return .insert(state, config.stateEncoding)
        case .update:
            return .compressedUpdate(compressedUpdate(of: delta.state, stateNow: stateNow))
        case .delete:
            return .compressedDelete(delta.state.identity)
        }
    }

    /// UPD_C for a state, with its counters (pfsyncd's UPD_CC) unless configured to speak
    /// plain UPD_C: pfsync's UPD_C carries no counters, which would leave the peer's
    /// packet and byte counts behind.
    func compressedUpdate(of state: PFState, stateNow: UInt32) -> CompressedUpdate {
        var update = CompressedUpdate(
            identity: state.identity, src: state.src, dst: state.dst,
            expire: PFState.secondsRemaining(until: state.expire, now: stateNow), timeout: state.timeout)
        if config.replicateCounters {
            update.counters = StateCounters(packets: state.packets, bytes: state.bytes)
        }
        return update
    }

    /// Frames and sends every queued message. Each frame holds as many messages as fit
    /// the datagram after compression: the raw target adapts to the ratio seen.
    @discardableResult
    func sendOutbound(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) -> Int {
        // The queue is taken out first, so that a `send` leading back into this engine
        // queues and sends its own messages without disturbing these. Its storage is
        // handed back afterwards: no allocation in steady state.
        var batch: [PFSyncMessage] = []
        swap(&batch, &outbound)
        var deltaBatch = OutgoingDeltas()
        swap(&deltaBatch, &outgoingDeltas)
        defer {
            deltaBatch.removeAll()
            if outgoingDeltas.isEmpty { swap(&deltaBatch, &outgoingDeltas) }
        }
        let queued = batch.count + deltaBatch.count
        let frames = sendFrames(
            count: batch.count, deltas: deltaBatch, nowNanos: nowNanos, send: send,
            append: { writer, index in writer.append(batch[index]) },
            countSent: { range in
                for index in range {
                    self.counters.countAction(batch[index].actionIndex, incoming: false)
                }
            })
        batch.removeAll(keepingCapacity: true)
        if outbound.isEmpty { swap(&batch, &outbound) }
        counters[.queueMax] = max(counters[.queueMax], UInt64(queued))
        return frames
    }

    /// Frames and sends `count` items in order: `append` adds item `index` to the writer
    /// (false: it does not fit, or the writer cannot carry it), `countSent` counts the
    /// actions of the items of one sent frame. Shared by the message queue and the bulk
    /// sender (which appends states without boxing them in messages).
    @inline(__always) @discardableResult
    func sendFrames(
        count: Int, deltas: OutgoingDeltas = OutgoingDeltas(), nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void,
        append: (inout PFSyncPacketWriter, Int) -> Bool, countSent: (Range<Int>) -> Void
    ) -> Int {
        var frames = 0
        var start = 0
        var deltaStart = 0
        let minimumTarget = sealer.maxUncompressedPayload
        while start < count || deltaStart < deltas.count {
            writer.reset()
            var end = start
            while end < count, writer.length < rawTarget, append(&writer, end) {
                end += 1
            }
            var deltaEnd = deltaStart
            if end == count, deltaStart < deltas.count {
                // Delta updates follow every message: they fill the rest of the frame.
                deltaEnd = appendDeltas(
                    deltas, from: deltaStart, limit: rawTarget, force: end == start)
            }
            if end == start && deltaEnd == deltaStart {
                // A message the writer cannot carry in this version: drop and count it.
                counters[.oerrors] += 1
                start += 1
                continue
            }
            let sequence = nextSequence
            var sealedFrame: ArraySlice<UInt8>?
            let rawLength = writer.finish { payload -> Int in
                sealedFrame = try? sealer.seal(kind: .data, sequence: sequence, payload: payload)
                return payload.count
            }
            guard let frame = sealedFrame else {
                if end - start + deltaEnd - deltaStart == 1 {
                    counters[.oerrors] += 1
                    start = end
                    deltaStart = deltaEnd
                } else {
                    rawTarget = max(minimumTarget, rawTarget * 3 / 4)
                }
                continue
            }
            // Everything about this frame is recorded before `send` runs, and no access
            // to the writer or the sealer is open during it: a caller whose `send` leads
            // back into this engine (tests joining two engines directly) finds it consistent.
            let frameLength = frame.count
            sentAt[Int(sequence % UInt64(sentAt.count))] = nowNanos
            resentAt[Int(sequence % UInt64(resentAt.count))] = 0
            nextSequence += 1
            frames += 1
            counters[.rawBytesSent] += UInt64(rawLength)
            counters[.framesSent] += 1
            counters[.opackets] += 1
            counters[.bytesSent] += UInt64(frameLength)
            counters[.messagesSent] += UInt64(end - start + deltaEnd - deltaStart)
            counters.countAction(
                ReplicationCounters.deltaUpdateActionIndex, incoming: false, UInt64(deltaEnd - deltaStart))
            frame.withUnsafeBytes { bytes in
                resend.store(sequence: sequence, frame: bytes)
            }
            countSent(start..<end)
            frame.withUnsafeBytes { bytes in send(bytes) }
            adaptRawTarget(rawLength: rawLength, frameLength: frameLength)
            start = end
            deltaStart = deltaEnd
        }
        return frames
    }

    /// Aims the next frame's raw size at what should compress to ~95% of the datagram.
    private func adaptRawTarget(rawLength: Int, frameLength: Int) {
        guard rawLength > 0, frameLength > 0 else { return }
        let room = Double(sealer.maxDatagramSize) * 0.95
        let ratio = Double(frameLength) / Double(rawLength)
        let target = Int(room / max(ratio, 0.05))
        rawTarget = min(60_000, max(sealer.maxUncompressedPayload, (rawTarget + target) / 2))
    }

    /// Seals and sends a control frame carrying `controlPayload`.
    func sendControl(_ kind: SyncFrameKind, send: (UnsafeRawBufferPointer) -> Void) {
        let sequence = nextSequence - 1
        let payload = controlPayload
        guard let frame = try? payload.withUnsafeBytes({ try sealer.seal(kind: kind, sequence: sequence, payload: $0) })
        else {
            counters[.oerrors] += 1
            return
        }
        frame.withUnsafeBytes { send($0) }
        counters[.framesSent] += 1
        counters[.bytesSent] += UInt64(frame.count)
    }

    func sendHello(options: SyncHello.Options, send: (UnsafeRawBufferPointer) -> Void) {
        let hello = SyncHello(
            options: options, pfsyncVersion: 5, maxDatagramSize: UInt16(clamping: sealer.maxDatagramSize),
            keepaliveMilliseconds: UInt32(max(1, config.keepaliveNanos / 1_000_000)),
            features: config.deltaUpdates && config.replicateCounters ? [.lz4, .deltaUpdates] : [.lz4])
        hello.encode(into: &controlPayload)
        sendControl(.hello, send: send)
    }

    func sendKeepalive(send: (UnsafeRawBufferPointer) -> Void) {
        SyncKeepalive(intervalMilliseconds: UInt32(max(1, config.keepaliveNanos / 1_000_000)))
            .encode(into: &controlPayload)
        sendControl(.keepalive, send: send)
        counters[.keepalivesSent] += 1
    }

    /// ACKs everything delivered since the last ACK.
    func sendAck(send: (UnsafeRawBufferPointer) -> Void) {
        guard window.expected > 0 else { return }
        let last = window.expected - 1
        let first = min(ackedThrough + 1, last)
        guard SyncSequenceRanges.encode([first...last], into: &controlPayload) else { return }
        sendControl(.ack, send: send)
        ackedThrough = last
        deliveredSinceAck = 0
        counters[.acksSent] += 1
    }

    /// NACKs the gaps in the receive window (at most what fits one datagram).
    func sendNack(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        let limit = SyncSequenceRanges.maxCount(payloadLimit: sealer.maxUncompressedPayload)
        let ranges = window.missingRanges(limit: max(1, limit))
        guard !ranges.isEmpty, SyncSequenceRanges.encode(ranges, into: &controlPayload) else { return }
        sendControl(.nack, send: send)
        lastNackNanos = nowNanos
        counters[.nacksSent] += 1
    }
}
