/// The per-packet record libpcap gives with each packet's bytes.
public struct CapturedPacketHeader: Sendable, Hashable {
    /// Capture time, seconds since the epoch.
    public var seconds: Int64
    /// Capture time, microseconds within the second.
    public var microseconds: Int32
    /// Bytes captured (what the buffer holds).
    public var captureLength: UInt32
    /// Bytes the packet had on the wire (larger than ``captureLength`` when cut by snaplen).
    public var wireLength: UInt32

    /// Creates a header.
    @inlinable
    public init(seconds: Int64, microseconds: Int32, captureLength: UInt32, wireLength: UInt32) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.captureLength = captureLength
        self.wireLength = wireLength
    }
}

/// What one attempt to read a packet produced.
public enum ReadOutcome: Sendable, Equatable {
    /// A packet was handed to the closure.
    case packet
    /// A live capture's read timeout passed with no packet; call again.
    case timeout
    /// No more packets: end of file, a read error (see the source's `errorText`) or a break.
    case end
}
