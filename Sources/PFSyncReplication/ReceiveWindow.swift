/// The receiving half of reliable delivery (modelled on conntrackd's FTFW): frames are
/// delivered strictly in sequence order; a frame that arrives early is held (bounded) while
/// the gap before it is NACKed; duplicates are dropped; frames from an older epoch or far
/// behind the window are replays. A gap that outlives ``gapTimeout`` (or a sender that no
/// longer holds the frames) is given up: the held frames are delivered and the caller
/// resynchronises what was lost with a bulk update.
///
/// Pure logic: the caller supplies time (`now`, any monotonic unit consistent with
/// ``gapTimeout``) and does the I/O.
public struct ReceiveWindow<Payload> {
    /// What happened to one received frame.
    public enum Disposition: Sendable, Hashable {
        /// Delivered (plus any held frames it released).
        case delivered
        /// Held until the gap before it is filled.
        case held
        /// Already delivered or given up: harmless, dropped.
        case duplicate
        /// An old epoch or a sequence far behind the window: dropped, counts as `badauth`.
        case replay
        /// Held-frame limit reached: dropped (the gap will be given up and resynced).
        case overflow
    }

    /// Frames that may be held while a gap is outstanding.
    public let holdLimit: Int
    /// How far behind the window a sequence is still a duplicate rather than a replay.
    public let duplicateHorizon: UInt64
    /// How long a gap may stay open before it is given up.
    public let gapTimeout: UInt64

    /// The sender's epoch this window follows (nil before the first frame).
    public private(set) var epoch: UInt32?
    /// The next sequence number to deliver.
    public private(set) var expected: UInt64 = 0
    /// One past the highest sequence number known to exist (seen, or announced by a
    /// keepalive).
    public private(set) var knownEnd: UInt64 = 0
    /// When the current gap was first noticed (nil when there is none).
    public private(set) var gapSince: UInt64?
    /// Frames given up as lost, in total.
    public private(set) var lost: UInt64 = 0

    private var heldFrames: [UInt64: Payload] = [:]

    /// Creates a window.
    public init(holdLimit: Int = 4096, duplicateHorizon: UInt64 = 1 << 20, gapTimeout: UInt64) {
        self.holdLimit = holdLimit
        self.duplicateHorizon = duplicateHorizon
        self.gapTimeout = gapTimeout
    }

    /// Number of frames held.
    public var heldCount: Int { heldFrames.count }

    /// True when frames are missing.
    public var hasGap: Bool { knownEnd > expected }

    /// Accepts one authenticated frame. `deliver` runs for it and every held frame it
    /// releases, in order.
    public mutating func receive(
        epoch frameEpoch: UInt32, sequence: UInt64, payload: Payload, now: UInt64,
        deliver: (UInt64, Payload) throws -> Void
    ) rethrows -> Disposition {
        try receive(
            epoch: frameEpoch, sequence: sequence, now: now, deliverNow: { try deliver(sequence, payload) },
            store: { payload }, deliver: deliver)
    }

    /// Accepts one authenticated frame whose payload is only made when it has to be held:
    /// `deliverNow` runs when the frame is delivered at once (the caller applies the bytes
    /// it still has, no copy), `store` when it is held; `deliver` runs for every held frame
    /// released after it, in order.
    public mutating func receive(
        epoch frameEpoch: UInt32, sequence: UInt64, now: UInt64, deliverNow: () throws -> Void,
        store: () -> Payload, deliver: (UInt64, Payload) throws -> Void
    ) rethrows -> Disposition {
        if let current = epoch {
            if frameEpoch < current { return .replay }
            // A later epoch is a restarted sender: its DATA frames start again at 1, so
            // frames 1 ..< sequence are missing if this is not the first.
            if frameEpoch > current { reset(epoch: frameEpoch, at: Swift.min(sequence, 1)) }
        } else {
            // The first frame ever: what came before is the bulk update's business.
            reset(epoch: frameEpoch, at: sequence)
        }
        if sequence < expected {
            return expected - sequence <= duplicateHorizon ? .duplicate : .replay
        }
        knownEnd = Swift.max(knownEnd, sequence &+ 1)
        if sequence == expected {
            try deliverNow()
            expected = sequence &+ 1
            try releaseHeld(deliver: deliver)
            updateGapClock(now: now)
            return .delivered
        }
        if heldFrames[sequence] != nil { return .duplicate }
        guard heldFrames.count < holdLimit else { return .overflow }
        heldFrames[sequence] = store()
        if gapSince == nil { gapSince = now }
        return .held
    }

    /// A control frame told a receiver that has no frame yet the sender's last sequence:
    /// the window starts after it (what came before is the bulk update's business, as for
    /// a first DATA frame), so that the sender hears it acknowledged and does not count
    /// frames sent before this receiver listened as in flight. False (nothing changes) once
    /// any frame was received.
    public mutating func startIfFirst(epoch frameEpoch: UInt32, after lastSequence: UInt64) -> Bool {
        guard epoch == nil else { return false }
        reset(epoch: frameEpoch, at: lastSequence &+ 1)
        return true
    }

    /// A keepalive told us the sender's last sequence in `epoch`: frames after what we have
    /// are missing (tail loss).
    public mutating func senderAnnounced(epoch frameEpoch: UInt32, lastSequence: UInt64, now: UInt64) {
        guard frameEpoch == epoch, lastSequence >= expected else { return }
        knownEnd = Swift.max(knownEnd, lastSequence &+ 1)
        if gapSince == nil { gapSince = now }
    }

    /// The missing sequence ranges, oldest first, at most `limit` of them (for a NACK).
    public func missingRanges(limit: Int = 64) -> [ClosedRange<UInt64>] {
        guard hasGap else { return [] }
        var ranges: [ClosedRange<UInt64>] = []
        var start = expected
        for sequence in heldFrames.keys.sorted() {
            if sequence > start { ranges.append(start...(sequence - 1)) }
            start = sequence + 1
            if ranges.count >= limit { return ranges }
        }
        if knownEnd > start { ranges.append(start...(knownEnd - 1)) }
        return Array(ranges.prefix(limit))
    }

    /// Gives up a gap that is older than ``gapTimeout``. Returns the number of frames
    /// given up (0 if none): the caller must resynchronise.
    public mutating func expireGap(now: UInt64, deliver: (UInt64, Payload) throws -> Void) rethrows -> UInt64 {
        guard let since = gapSince, now &- since >= gapTimeout else { return 0 }
        guard knownEnd > expected else {
            gapSince = nil
            return 0
        }
        return try giveUp(through: knownEnd - 1, now: now, deliver: deliver)
    }

    /// Gives up every missing frame up to `last` (the sender said it no longer has them).
    /// Returns how many were given up.
    public mutating func giveUp(
        through last: UInt64, now: UInt64, deliver: (UInt64, Payload) throws -> Void
    ) rethrows -> UInt64 {
        var givenUp: UInt64 = 0
        while expected <= last {
            if let payload = heldFrames.removeValue(forKey: expected) {
                try deliver(expected, payload)
            } else {
                givenUp += 1
            }
            expected += 1
        }
        try releaseHeld(deliver: deliver)
        lost += givenUp
        gapSince = nil
        updateGapClock(now: now)
        return givenUp
    }

    private mutating func releaseHeld(deliver: (UInt64, Payload) throws -> Void) rethrows {
        while let payload = heldFrames.removeValue(forKey: expected) {
            try deliver(expected, payload)
            expected += 1
        }
    }

    private mutating func updateGapClock(now: UInt64) {
        if knownEnd <= expected {
            gapSince = nil
        } else if gapSince == nil {
            gapSince = now
        }
    }

    private mutating func reset(epoch newEpoch: UInt32, at sequence: UInt64) {
        epoch = newEpoch
        expected = sequence
        knownEnd = sequence
        heldFrames.removeAll(keepingCapacity: true)
        gapSince = nil
    }
}
