import PFSyncWire

extension ReplicationEngine {
    /// ACKs what was delivered since the last ACK, if anything and if due: the transport
    /// calls it when it has handled a burst of datagrams (one ACK per burst, at once,
    /// instead of on the next tick: the sender's window and lag see it sooner, and a
    /// receiver with nothing else to do needs no tick for it). To a peer that takes delayed
    /// ACKs, a light trickle of frames is acknowledged together once the first has waited
    /// ``EngineConfig/ackDelayNanos`` (``ackDueNanos`` says when; see ``ackIsDue(nowNanos:)``).
    public func acknowledgeDelivered(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        if deliveredSinceAck > 0, ackIsDue(nowNanos: nowNanos) { sendAck(nowNanos: nowNanos, send: send) }
    }

    /// True when ACKs to this peer may be held back (it takes delayed ACKs, and a delay is
    /// configured).
    var delaysAcks: Bool { peerTakesAckDelay && config.ackDelayNanos > 0 }

    /// When the ACK held back now becomes due (it goes with the first
    /// ``acknowledgeDelivered(nowNanos:send:)`` or tick from then on); nil when none is held
    /// back.
    public var ackDueNanos: UInt64? {
        guard deliveredSinceAck > 0, delaysAcks else { return nil }
        return firstUnackedDeliveryNanos &+ config.ackDelayNanos
    }

    /// Frames that make a held ACK go out at once: an eighth of the window the peer keeps
    /// for us, so that its flow control never waits on a held ACK.
    var ackPromptFrames: Int {
        let window = config.receiveWindowFrames > 0 ? Int(clamping: config.receiveWindowFrames) : config.ackEveryFrames
        return max(1, min(config.ackEveryFrames, window / 8))
    }

    /// Whether what was delivered since the last ACK should be acknowledged now: always,
    /// unless the peer takes delayed ACKs; then once ``ackPromptFrames`` frames wait, the
    /// first of them has waited ``EngineConfig/ackDelayNanos``, or a gap is open.
    func ackIsDue(nowNanos: UInt64) -> Bool {
        guard let due = ackDueNanos else { return true }
        return deliveredSinceAck >= ackPromptFrames || window.hasGap || nowNanos >= due
    }

    /// ACKs everything delivered since the last ACK (with how long it was held back, to a
    /// peer that takes delayed ACKs).
    func sendAck(nowNanos: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        guard window.expected > 0 else { return }
        let last = window.expected - 1
        let first = min(ackedThrough + 1, last)
        let delay = delaysAcks && deliveredSinceAck > 0 && nowNanos > lastDeliveryNanos
            ? (nowNanos - lastDeliveryNanos) / 1000 : 0
        guard SyncSequenceRanges.encode([first...last], delayMicroseconds: delay, into: &controlPayload) else { return }
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
