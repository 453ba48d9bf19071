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

    /// True when messages or delta updates wait to be framed (the flow control held them).
    var hasQueued: Bool { !outbound.isEmpty || outgoingDeltas.hasUnsent }

    /// Frames and sends the queued messages, then the queued delta updates, as many frames
    /// as the flow control lets out (`maxFrames`: how many at most; nil asks the window);
    /// what does not go stays queued, in order, for the next call. Each frame holds as
    /// many messages as fit the datagram after compression: the raw target adapts to the
    /// ratio seen. Returns the frames sent.
    @discardableResult
    func sendOutbound(nowNanos: UInt64, maxFrames: Int? = nil, send: (UnsafeRawBufferPointer) -> Void) -> Int {
        // The queue is taken out first, so that a `send` leading back into this engine
        // queues and sends its own messages without disturbing these. Its storage is
        // handed back afterwards: no allocation in steady state.
        guard hasQueued else { return 0 }
        let room = maxFrames ?? sendRoom(nowNanos: nowNanos)
        guard room > 0 else { return 0 }
        var batch: [PFSyncMessage] = []
        swap(&batch, &outbound)
        var deltaBatch = OutgoingDeltas()
        swap(&deltaBatch, &outgoingDeltas)
        let queued = batch.count + deltaBatch.unsentCount
        func frame(from start: Int, _ deltas: OutgoingDeltas, maxFrames: Int) -> FramedItems {
            sendFrames(
                items: start..<batch.count, deltas: deltas, nowNanos: nowNanos, maxFrames: maxFrames, send: send,
                append: { writer, index in writer.append(batch[index]) },
                countSent: { range in
                    for index in range {
                        self.counters.countAction(batch[index].actionIndex, incoming: false)
                    }
                })
        }
        var sent = frame(from: 0, deltaBatch, maxFrames: room)
        if !outbound.isEmpty || !outgoingDeltas.isEmpty {
            // Something was queued from inside `send` (only a caller joining two engines
            // directly can do that): this batch goes out whole, so nothing is reordered.
            sent = sent.adding(frame(from: sent.itemsEnd, deltaBatch.unsent(from: sent.deltasEnd), maxFrames: .max))
        }
        // What the window held back goes back in front of the queue, in order.
        if sent.itemsEnd < batch.count {
            batch.removeFirst(sent.itemsEnd)
            batch.append(contentsOf: outbound)
            swap(&batch, &outbound)
        } else {
            batch.removeAll(keepingCapacity: true)
            if outbound.isEmpty { swap(&batch, &outbound) }
        }
        if sent.deltasEnd < deltaBatch.count {
            deltaBatch.firstUnsent = sent.deltasEnd
        } else {
            deltaBatch.removeAll()
        }
        if outgoingDeltas.isEmpty { swap(&deltaBatch, &outgoingDeltas) }
        counters[.queueMax] = max(counters[.queueMax], UInt64(queued))
        return sent.frames
    }

    /// What ``sendFrames(items:deltas:nowNanos:maxFrames:send:append:countSent:)`` framed:
    /// the frames sent, and where the items and the delta updates it got through end.
    struct FramedItems {
        var frames: Int
        var itemsEnd: Int
        var deltasEnd: Int

        func adding(_ more: FramedItems) -> FramedItems {
            FramedItems(frames: frames + more.frames, itemsEnd: more.itemsEnd, deltasEnd: more.deltasEnd)
        }
    }

    /// Frames and sends `items` in order, then `deltas` from their first unsent one, in at
    /// most `maxFrames` frames: `append` adds item `index` to the writer (false: it does
    /// not fit, or the writer cannot carry it), `countSent` counts the actions of the items
    /// of one sent frame. Shared by the message queue and the bulk sender (which appends
    /// states without boxing them in messages).
    @inline(__always) @discardableResult
    func sendFrames(
        items: Range<Int>, deltas: OutgoingDeltas = OutgoingDeltas(), nowNanos: UInt64, maxFrames: Int = .max,
        compressionAcceleration: Int32 = 1, send: (UnsafeRawBufferPointer) -> Void,
        append: (inout PFSyncPacketWriter, Int) -> Bool, countSent: (Range<Int>) -> Void
    ) -> FramedItems {
        var frames = 0
        var start = items.lowerBound
        let count = items.upperBound
        var deltaStart = deltas.firstUnsent
        let minimumTarget = sealer.maxUncompressedPayload
        while (start < count || deltaStart < deltas.count) && frames < maxFrames {
            writer.reset()
            let end = Self.fill(&writer, items: start..<count, rawTarget: rawTarget, append: append)
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
                sealedFrame = try? sealer.seal(
                    kind: .data, sequence: sequence, payload: payload, acceleration: compressionAcceleration)
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
        return FramedItems(frames: frames, itemsEnd: start, deltasEnd: deltaStart)
    }

    /// Appends items from the front of `items` until the writer holds `rawTarget` bytes or
    /// the next one does not fit; returns the index after the last appended. One access to
    /// the writer for the whole frame (through `self` it would be an exclusivity check, and
    /// a copy of the writer to read its length, per item).
    @inline(__always)
    static func fill(
        _ writer: inout PFSyncPacketWriter, items: Range<Int>, rawTarget: Int,
        append: (inout PFSyncPacketWriter, Int) -> Bool
    ) -> Int {
        var end = items.lowerBound
        while end < items.upperBound, writer.length < rawTarget, append(&writer, end) {
            end += 1
        }
        return end
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
        var features: SyncHello.Features = [.lz4, .ackDelay, .paddedFrames]
        if config.deltaUpdates && config.replicateCounters { features.insert(.deltaUpdates) }
        let hello = SyncHello(
            options: options, pfsyncVersion: 5, maxDatagramSize: UInt16(clamping: sealer.maxDatagramSize),
            keepaliveMilliseconds: UInt32(max(1, config.keepaliveNanos / 1_000_000)),
            features: features,
            receiveWindowFrames: UInt32(clamping: config.receiveWindowFrames))
        hello.encode(into: &controlPayload)
        sendControl(.hello, send: send)
    }

    func sendKeepalive(send: (UnsafeRawBufferPointer) -> Void) {
        SyncKeepalive(intervalMilliseconds: UInt32(max(1, config.keepaliveNanos / 1_000_000)))
            .encode(into: &controlPayload)
        sendControl(.keepalive, send: send)
        counters[.keepalivesSent] += 1
    }
}
