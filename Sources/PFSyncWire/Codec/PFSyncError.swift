/// The pfsync input counters a decoding error maps to, named exactly as
/// `netstat -s -p pfsync` names them.
public enum PFSyncCounter: String, Sendable, CaseIterable {
    /// Packet shorter than the pfsync header.
    case hdrops
    /// Header version is neither 5 nor 6.
    case badver
    /// FreeBSD: unknown action (the rest of the packet is dropped).
    case badact
    /// A length does not fit: header `len`, sub-header count x size, OpenBSD message `len`.
    case badlen
    /// A field value pf rejects (family, direction, peer state, timeout, BUS status).
    case badval
}

/// A decoding error: which counter it increments, where, and why.
///
/// ``PFSyncCounter/badval`` rejects one message only (pf counts it and goes on with the
/// next); every other counter ends the packet.
public struct PFSyncError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The counter this error increments.
    public var counter: PFSyncCounter
    /// Byte offset in the pfsync packet (header at 0) of the offending structure.
    public var offset: Int
    /// Human-readable detail, e.g. "sub-header at 24: count 9 x 84 bytes exceeds packet (200 bytes)".
    public var reason: String

    /// Creates an error.
    public init(counter: PFSyncCounter, offset: Int, reason: String) {
        self.counter = counter
        self.offset = offset
        self.reason = reason
    }

    /// True when decoding can go on with the next message (``PFSyncCounter/badval``).
    public var isRecoverable: Bool { counter == .badval }

    /// "badlen at 24: ...".
    public var description: String { "\(counter.rawValue) at \(offset): \(reason)" }
}
