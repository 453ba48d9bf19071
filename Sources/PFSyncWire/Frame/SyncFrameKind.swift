/// What a sync frame carries. Kind 0 is never valid.
public enum SyncFrameKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A pfsync packet (FreeBSD v5 header, sub-headers and messages), possibly LZ4-compressed.
    /// The only kind that consumes a sequence number.
    case data = 1
    /// Sequence ranges the receiver holds (payload: ``SyncSequenceRanges``).
    case ack = 2
    /// Sequence ranges the receiver is missing and asks to have resent
    /// (payload: ``SyncSequenceRanges``).
    case nack = 3
    /// "Still here" when there is no data to send (payload: ``SyncKeepalive``).
    case keepalive = 4
    /// Sent at start-up and answered by the peer (payload: ``SyncHello``).
    case hello = 5

    /// The lowercase name used in logs and `pfsyncd decode` output.
    public var description: String {
        switch self {
        case .data: "data"
        case .ack: "ack"
        case .nack: "nack"
        case .keepalive: "keepalive"
        case .hello: "hello"
        }
    }
}
