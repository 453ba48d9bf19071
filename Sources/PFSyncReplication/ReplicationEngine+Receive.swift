import PFSyncCore
import PFSyncWire

extension ReplicationEngine {
    /// Handles one datagram from the sync socket. `overIPv6` picks the counter
    /// (`ipackets` / `ipackets6`).
    public func receive(
        _ datagram: UnsafeRawBufferPointer, overIPv6: Bool = false, nowNanos: UInt64, stateNow: UInt32,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        counters[overIPv6 ? .ipackets6 : .ipackets] += 1
        lastReceiveNanos = nowNanos
        counters[.bytesReceived] += UInt64(datagram.count)
        let opened: SyncOpenedFrame
        do {
            opened = try opener.open(datagram)
        } catch {
            count(error.counter)
            return
        }
        let header = opened.header
        guard header.senderID != config.nodeID else {
            // Our own multicast looped back, or a peer misconfigured with our node id.
            counters[.badval] += 1
            return
        }
        counters[.framesReceived] += 1
        status.peerID = header.senderID
        status.peerEpoch = header.epoch
        status.lastFrameNanos = nowNanos
        status.peerAlive = true

        if header.kind != .data, header.sequence > 0,
            window.startIfFirst(epoch: header.epoch, after: header.sequence)
        {
            // The sender's frames so far went out before we listened: say so at once, or
            // its flow control would wait for their ACKs until we fell silent.
            sendAck(nowNanos: nowNanos, send: send)
        }
        switch header.kind {
        case .data:
            receiveData(opened, nowNanos: nowNanos, stateNow: stateNow, send: send)
        case .ack:
            receiveAck(opened, nowNanos: nowNanos)
        case .nack:
            receiveNack(opened, nowNanos: nowNanos, stateNow: stateNow, send: send)
        case .keepalive:
            window.senderAnnounced(epoch: header.epoch, lastSequence: header.sequence, now: nowNanos)
            if window.hasGap, nowNanos &- lastNackNanos >= config.nackRetryNanos {
                sendNack(nowNanos: nowNanos, send: send)
            }
        case .hello:
            receiveHello(opened, nowNanos: nowNanos, stateNow: stateNow, send: send)
        }
        sendOutbound(nowNanos: nowNanos, send: send)
    }

    private func count(_ counter: SyncFrameCounter) {
        switch counter {
        case .hdrops: counters[.hdrops] += 1
        case .badver: counters[.badver] += 1
        case .badauth: counters[.badauth] += 1
        case .badact: counters[.badact] += 1
        case .badlen: counters[.badlen] += 1
        case .badval: counters[.badval] += 1
        case .oerrors: counters[.oerrors] += 1
        }
    }

    private func receiveData(
        _ frame: SyncOpenedFrame, nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) {
        let header = frame.header
        counters[.rawBytesReceived] += UInt64(header.rawLength)
        // What the window delivers now comes from this frame's run (frames of an older run
        // are dropped; a newer run resets the window).
        deliveringPeerRun = PeerRun(nodeID: header.senderID, epoch: header.epoch)
        // In-order frames are applied straight from the opener's buffer; only a frame that
        // has to wait for a gap is copied.
        let disposition = frame.payload.withUnsafeBytes { bytes in
            window.receive(
                epoch: header.epoch, sequence: header.sequence, now: nowNanos,
                deliverNow: {
                    apply(payload: bytes, stateNow: stateNow)
                    countDelivered(nowNanos: nowNanos)
                },
                store: { Array(bytes) },
                deliver: { _, payload in
                    apply(payload: payload, stateNow: stateNow)
                    countDelivered(nowNanos: nowNanos)
                })
        }
        switch disposition {
        case .delivered:
            if deliveredSinceAck >= config.ackEveryFrames { sendAck(nowNanos: nowNanos, send: send) }
        case .held:
            if nowNanos &- lastNackNanos >= config.nackRetryNanos { sendNack(nowNanos: nowNanos, send: send) }
        case .duplicate:
            counters[.duplicates] += 1
        case .replay:
            counters[.badauth] += 1
        case .overflow:
            counters[.queueDrops] += 1
        }
    }

    private func countDelivered(nowNanos: UInt64) {
        if deliveredSinceAck == 0 { firstUnackedDeliveryNanos = nowNanos }
        deliveredSinceAck += 1
        lastDeliveryNanos = nowNanos
    }

    private func receiveAck(_ frame: SyncOpenedFrame, nowNanos: UInt64) {
        counters[.acksReceived] += 1
        guard let delayMicroseconds = decodeRanges(frame), let last = rangesScratch.last?.upperBound,
            last < nextSequence
        else { return }
        let ackedBefore = sendWindow.ackedThrough
        sendWindow.acknowledged(through: last, nowNanos: nowNanos)
        // Room opened for a sender the window holds back: a running bulk (whose pace the
        // window sets), queued frames, or changes a flush left in the table.
        if sendWindow.ackedThrough != ackedBefore, windowWasClosed || status.bulk.sending || hasQueued {
            windowWasClosed = false
            acknowledgementsOpenedWindow = true
        }
        let sent = sentAt[Int(last % UInt64(sentAt.count))]
        if sent > 0, nowNanos >= sent, last &+ UInt64(sentAt.count) >= nextSequence {
            // The time the peer held the ACK back is not replication lag.
            let roundTrip = (nowNanos - sent) / 1000
            lagSamples.record(microseconds: roundTrip - min(roundTrip, delayMicroseconds))
        }
    }

    private func receiveNack(
        _ frame: SyncOpenedFrame, nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) {
        counters[.nacksReceived] += 1
        guard decodeRanges(frame) != nil else { return }
        var missing = false
        var budget = config.resendFrames
        for range in rangesScratch {
            guard range.lowerBound < nextSequence else { continue }
            let last = min(range.upperBound, nextSequence - 1)
            var sequence = range.lowerBound
            while sequence <= last && budget > 0 {
                // A frame resent moments ago is still on its way: resending it again for
                // every NACK that crosses it would multiply an overload into a storm.
                let slot = Int(sequence % UInt64(resentAt.count))
                if resentAt[slot] != 0, nowNanos &- resentAt[slot] < config.nackRetryNanos * 2 {
                    sequence += 1
                    continue
                }
                resentAt[slot] = nowNanos
                let found = resend.withFrame(sequence: sequence) { bytes -> Bool in
                    send(bytes)
                    return true
                }
                if found == true {
                    counters[.retransmitted] += 1
                    counters[.framesSent] += 1
                } else {
                    missing = true
                }
                sequence += 1
                budget -= 1
            }
        }
        if missing {
            // PROTOCOL.md: a sender that no longer holds NACKed frames answers with a bulk update.
            counters[.resyncs] += 1
            invalidateBases()
            startBulkSend(stateNow: stateNow, for: PeerRun(nodeID: frame.header.senderID, epoch: frame.header.epoch))
        }
    }

    private func receiveHello(
        _ frame: SyncOpenedFrame, nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void
    ) {
        let decoded = frame.payload.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<SyncHello, SyncFrameError> in
            do throws(SyncFrameError) {
                return .success(try SyncHello(decoding: bytes))
            } catch {
                return .failure(error)
            }
        }
        let hello: SyncHello
        switch decoded {
        case .success(let value):
            hello = value
        case .failure(let error):
            count(error.counter)
            return
        }
        // A peer that restarted (a new epoch), or that we hear for the first time or after
        // a silence, holds nothing of what was sent to it before it came up: the window
        // counts again from the frames sent in the last moments, which may be waiting in
        // its socket buffer. (A peer we were in touch with keeps its window: this HELLO
        // may answer ours.)
        if windowPeerEpoch != frame.header.epoch || sendWindow.isSilent(nowNanos: nowNanos) {
            let recent = nowNanos > Self.recentSendNanos ? nowNanos - Self.recentSendNanos : 0
            sendWindow.peerStarted(afterSequence: lastSequenceSent(before: recent), nowNanos: nowNanos)
        }
        windowPeerEpoch = frame.header.epoch
        if hello.receiveWindowFrames > 0 {
            sendWindow.fit(maximum: config.maxFramesInFlight, peerFrames: UInt64(hello.receiveWindowFrames))
        }
        // A (re)started peer holds no delta base.
        peerTakesDeltas = hello.features.contains(.deltaUpdates)
        peerTakesAckDelay = hello.features.contains(.ackDelay)
        peerTakesPaddedFrames = hello.features.contains(.paddedFrames)
        invalidateBases()
        if hello.options.contains(.bulkRequest) {
            counters[.bulkRequestsReceived] += 1
            answerBulkRequest(stateNow: stateNow, from: PeerRun(nodeID: frame.header.senderID, epoch: frame.header.epoch))
        }
        if !hello.options.contains(.reply) {
            sendHello(options: [.reply], send: send)
        }
    }

    /// Decodes an ACK's or NACK's ranges into ``rangesScratch`` and returns the ACK's delay
    /// (microseconds); nil (counted) when the payload is invalid.
    private func decodeRanges(_ frame: SyncOpenedFrame) -> UInt64? {
        let decoded = frame.payload.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<UInt64, SyncFrameError> in
            do throws(SyncFrameError) {
                return .success(try SyncSequenceRanges.decode(bytes, kind: frame.header.kind, into: &rangesScratch))
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(let delay):
            return delay
        case .failure(let error):
            count(error.counter)
            return nil
        }
    }

    /// NACKs open gaps (rate limited) and gives up those older than the gap timeout, then
    /// asks for a bulk update to recover what they held.
    func repairGaps(nowNanos: UInt64, stateNow: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        guard window.hasGap else { return }
        deliveringPeerRun = status.peerID.flatMap { id in window.epoch.map { PeerRun(nodeID: id, epoch: $0) } }
        let givenUp = window.expireGap(now: nowNanos) { _, payload in
            apply(payload: payload, stateNow: stateNow)
        }
        if givenUp > 0 {
            counters[.resyncs] += 1
            switch status.bulk.incoming {
            case .requested:
                // The bulk already asked for will carry what the lost frames held.
                break
            case .receiving:
                // Asking now would restart the running bulk from its first state (and,
                // under steady loss, again and again): ask once it has ended.
                bulkRequestAfterEnd = true
            case .idle, .done, .failed:
                requestBulk(nowNanos: nowNanos, send: send)
            }
        } else if nowNanos &- lastNackNanos >= config.nackRetryNanos {
            sendNack(nowNanos: nowNanos, send: send)
        }
    }
}
