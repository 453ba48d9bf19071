/// The sending half of reliable delivery: the last `capacity` sealed frames, by sequence
/// number, ready to be sent again when the peer NACKs them. Bounded: the oldest frame is
/// overwritten. Storage is one contiguous arena allocated once; frames are copied in.
public struct ResendBuffer {
    /// Frames kept.
    public let capacity: Int
    /// Largest frame the buffer accepts.
    public let maxFrameSize: Int

    private var arena: [UInt8]
    private var lengths: [Int]
    private var sequences: [UInt64]
    /// The next sequence number expected to be stored (one past the newest).
    public private(set) var nextSequence: UInt64 = 0
    private var stored = 0

    /// Creates a buffer of `capacity` frames of at most `maxFrameSize` bytes.
    public init(capacity: Int, maxFrameSize: Int) {
        self.capacity = max(1, capacity)
        self.maxFrameSize = maxFrameSize
        arena = [UInt8](repeating: 0, count: self.capacity * maxFrameSize)
        lengths = [Int](repeating: 0, count: self.capacity)
        sequences = [UInt64](repeating: .max, count: self.capacity)
    }

    /// The oldest sequence still held (nil when empty).
    public var oldestSequence: UInt64? {
        stored == 0 ? nil : nextSequence - UInt64(stored)
    }

    /// Stores a sealed frame sent with `sequence` (sequences must be consecutive).
    public mutating func store(sequence: UInt64, frame: UnsafeRawBufferPointer) {
        precondition(frame.count <= maxFrameSize, "frame larger than the resend slot")
        if stored > 0 && sequence != nextSequence {
            stored = 0
        }
        let slot = Int(sequence % UInt64(capacity))
        arena.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress! + slot * maxFrameSize
            if let source = frame.baseAddress, frame.count > 0 {
                base.copyMemory(from: source, byteCount: frame.count)
            }
        }
        lengths[slot] = frame.count
        sequences[slot] = sequence
        nextSequence = sequence + 1
        stored = min(stored + 1, capacity)
    }

    /// Calls `body` with the stored frame for `sequence`, or returns nil if it is gone.
    public func withFrame<R>(sequence: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard let oldest = oldestSequence, sequence >= oldest, sequence < nextSequence else { return nil }
        let slot = Int(sequence % UInt64(capacity))
        guard sequences[slot] == sequence else { return nil }
        return try arena.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[slot * maxFrameSize..<slot * maxFrameSize + lengths[slot]]))
        }
    }
}
