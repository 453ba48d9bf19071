import PFSyncReplication

/// How many DATA frames the flow control lets be in flight, given what the sync socket's
/// receive buffer holds: the peer's buffer is what overflows, and both nodes run with the
/// same settings, so this node's own buffer stands for it.
///
/// The kernel charges each datagram its buffer's true size, not its payload: about twice
/// the payload plus a kilobyte is taken per frame, and a quarter of the buffer is left to
/// ACKs, keepalives and the peer's own changes. With `net.core.rmem_max` at Linux's
/// default (208 KiB, so the socket gets 416 KiB), a 1500-byte MTU allows about 80 frames;
/// with 4 MiB, the configured limit (1024) applies.
enum ReceiveBufferWindow {
    /// Fewest frames allowed in flight, however small the buffer.
    static let minimumFrames: UInt64 = 16

    /// The configured limit, lowered to what `receiveBufferBytes` (as `SO_RCVBUF` reports
    /// it) holds of datagrams of `maxDatagramSize` bytes. 0 (no flow control) stays 0.
    static func framesInFlight(configured: UInt64, receiveBufferBytes: Int, maxDatagramSize: Int) -> UInt64 {
        guard configured > 0, receiveBufferBytes > 0 else { return configured }
        let perFrame = 2 * max(1, maxDatagramSize) + 1024
        let fits = UInt64(receiveBufferBytes / 4 * 3 / perFrame)
        return min(configured, max(minimumFrames, fits))
    }
}
