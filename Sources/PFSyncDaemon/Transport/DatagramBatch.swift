import NIOCore

/// Frames of one burst gathered for one UDP GSO write: every frame but the last is padded
/// with zero bytes to ``segmentSize``, so that the kernel cuts the buffer back into one
/// datagram per frame (or hands it whole to a receiver with UDP GRO). The peer must take
/// padded frames (HELLO's padded-frames feature).
///
/// One write then costs the kernel one route lookup, one socket buffer and one loopback
/// or device pass instead of one per datagram.
struct DatagramBatch {
    /// The size every datagram but the last is padded to: the largest frame the sealer makes.
    let segmentSize: Int
    /// The most datagrams one write carries: the kernel takes at most 64 segments
    /// (`UDP_MAX_SEGMENTS`) and 65,507 bytes (a UDP datagram's payload over IPv4).
    let maxSegments: Int
    private(set) var buffer: ByteBuffer
    /// Frames in ``buffer``.
    private(set) var count = 0
    /// Zero bytes written to pad frames in ``buffer``.
    private(set) var padding = 0

    /// Whether a frame of `length` bytes goes into a batch: not one larger than a segment,
    /// and not one under half a segment (an ACK, the short last frame of a flush), which
    /// would waste most of its padding; those go alone.
    func takes(length: Int) -> Bool {
        length >= segmentSize / 2 && length <= segmentSize
    }

    init(segmentSize: Int, allocator: ByteBufferAllocator) {
        self.segmentSize = segmentSize
        self.maxSegments = max(1, min(64, 65_507 / max(segmentSize, 1)))
        self.buffer = allocator.buffer(capacity: segmentSize * maxSegments)
    }

    /// Whether the batch is full (send it before adding another frame).
    var isFull: Bool { count >= maxSegments }

    /// Adds one frame after the previous one, which is padded to ``segmentSize`` first.
    mutating func append(_ frame: UnsafeRawBufferPointer) {
        if count > 0 {
            let padding = count * segmentSize - buffer.readableBytes
            if padding > 0 {
                buffer.writeRepeatingByte(0, count: padding)
                self.padding += padding
            }
        }
        buffer.writeBytes(frame)
        count += 1
    }

    /// The gathered frames, and an empty batch left behind (its storage reused once the
    /// write has released the taken buffer).
    mutating func take() -> (buffer: ByteBuffer, count: Int, padding: Int) {
        let taken = (buffer, count, padding)
        buffer.clear()
        count = 0
        padding = 0
        return taken
    }
}
