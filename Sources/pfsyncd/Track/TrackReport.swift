import PFSyncCore
import PFSyncTracker

/// What `pfsyncd track` found in one capture.
struct TrackReport {
    /// The tracker's counters after the last packet and the final expiry sweep.
    var summary: TrackerSummary
    /// Frames read from the file (IP or not).
    var frames: Int
    /// True when the file ends in the middle of a record (or cannot be read further).
    var truncated: Bool
    /// Problems found, one line each: bad link type, packets with unreadable headers,
    /// an early end of the file.
    var errors: [String]
    /// The states still alive at the end, in creation order.
    var states: [PFState]
    /// The tracker's clock at the end (the last packet's time), seconds.
    var clock: UInt32
}
