/// Flow control of a sender's DATA frames: how many more it may send before the peer's
/// ACKs catch up (conntrackd's FTFW has no such window, and a backup slower than its
/// primary then loses frames in its socket buffer, asks for them again, and falls into
/// resyncs; here the changes wait in the table instead, where they coalesce).
///
/// Frames count as in flight from the moment they are sent: from the start, and from a
/// peer's (re)start, even before its first ACK, so that the first flush of a full table
/// does not flood a peer that is just coming up. A peer that acknowledges nothing for
/// `silenceNanos` (gone, or not answering) no longer limits the sender, until it
/// acknowledges again.
struct SendWindow {
    /// Frames that may be in flight; 0 turns flow control off.
    private(set) var limit: UInt64
    /// How long an unanswering peer holds the window closed.
    let silenceNanos: UInt64
    /// The highest DATA sequence the peer acknowledged since it (re)started (nil: none yet).
    private(set) var ackedThrough: UInt64?
    /// What counts as acknowledged while ``ackedThrough`` is nil: the last sequence sent
    /// before the peer (re)started.
    private var startedAfter: UInt64 = 0
    /// Since when the peer has not acknowledged anything.
    private var silentSince: UInt64 = 0

    init(limit: UInt64, silenceNanos: UInt64) {
        self.limit = limit
        self.silenceNanos = silenceNanos
    }

    /// The window for a peer whose receive buffer holds `peerFrames` DATA frames (0: it did
    /// not say), within the configured `maximum` (0: flow control off, and it stays off).
    static func limit(maximum: UInt64, peerFrames: UInt64) -> UInt64 {
        guard maximum > 0, peerFrames > 0 else { return maximum }
        return min(maximum, peerFrames)
    }

    /// Fits the window to what the peer said it holds (see ``limit(maximum:peerFrames:)``).
    mutating func fit(maximum: UInt64, peerFrames: UInt64) {
        limit = Self.limit(maximum: maximum, peerFrames: peerFrames)
    }

    /// The peer (re)started (or the sender did) at `nowNanos`, after the sender's frame
    /// `lastSent`: nothing is in flight to it, and it has acknowledged nothing yet.
    mutating func peerStarted(afterSequence lastSent: UInt64, nowNanos: UInt64) {
        ackedThrough = nil
        startedAfter = lastSent
        silentSince = nowNanos
    }

    /// The peer acknowledged every frame up to `sequence`.
    mutating func acknowledged(through sequence: UInt64, nowNanos: UInt64) {
        ackedThrough = max(ackedThrough ?? 0, sequence)
        silentSince = nowNanos
    }

    /// True when the peer has acknowledged nothing for `silenceNanos`: it does not limit the
    /// sender now.
    func isSilent(nowNanos: UInt64) -> Bool {
        nowNanos &- silentSince >= silenceNanos
    }

    /// DATA frames that may be sent now, after frame `lastSent`: `Int.max` when nothing
    /// limits the sender.
    func room(lastSent: UInt64, nowNanos: UInt64) -> Int {
        guard limit > 0, nowNanos &- silentSince < silenceNanos else { return .max }
        let acked = max(ackedThrough ?? startedAfter, startedAfter)
        let inFlight = lastSent > acked ? lastSent - acked : 0
        return inFlight >= limit ? 0 : Int(limit - inFlight)
    }
}

/// A running average of how many items one DATA frame carried (the last frames weigh most),
/// to turn room in frames into a number of changes to drain or states to copy.
struct ItemsPerFrame {
    private(set) var value: Double

    init(initial: Double) { value = initial }

    /// `items` went out in `frames` frames.
    mutating func record(items: Int, frames: Int) {
        guard items > 0, frames > 0 else { return }
        value = 0.75 * value + 0.25 * Double(items) / Double(frames)
    }

    /// How many items `frames` frames should carry (`Int.max` for unlimited room).
    func items(inFrames frames: Int) -> Int {
        guard frames < Int.max / 2 else { return .max }
        return max(1, Int(Double(frames) * value))
    }
}
