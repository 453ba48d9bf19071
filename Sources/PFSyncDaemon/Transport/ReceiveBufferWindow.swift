import PFSyncReplication

/// How many DATA frames the sync socket's receive buffer holds: said to the peer in HELLO,
/// whose flow control keeps no more frames than that in flight, and assumed of the peer
/// until it says its own.
///
/// The kernel charges each datagram its buffer's true size, not its payload: about twice
/// the payload plus a kilobyte is taken per frame, and a quarter of the buffer is left to
/// ACKs, keepalives and the peer's own changes. With `net.core.rmem_max` at Linux's
/// default (208 KiB, so the socket gets 416 KiB), a 1500-byte MTU allows about 80 frames;
/// with 4 MiB, about 1,600 (and the configured limit, 1024 by default, caps the window).
enum ReceiveBufferWindow {
    /// Fewest frames said, however small the buffer.
    static let minimumFrames: UInt64 = 16

    /// The frames of `maxDatagramSize` bytes that `receiveBufferBytes` (as `SO_RCVBUF`
    /// reports it) holds, at least ``minimumFrames``; 0 (not said) for an unknown buffer.
    static func frames(receiveBufferBytes: Int, maxDatagramSize: Int) -> UInt64 {
        guard receiveBufferBytes > 0 else { return 0 }
        let perFrame = 2 * max(1, maxDatagramSize) + 1024
        return max(minimumFrames, UInt64(receiveBufferBytes / 4 * 3 / perFrame))
    }
}
