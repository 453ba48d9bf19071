/// The payload of ACK and NACK frames: inclusive ranges of DATA sequence numbers.
///
/// ```
/// 0  count u16       number of ranges, at least 1
/// 2  delay u16       ACK: microseconds the ACK was held back after the newest frame it
///                    acknowledges was delivered (saturating; only to a peer whose HELLO
///                    has SyncHello.Features.ackDelay, 0 otherwise). NACK: 0
/// 4  count x { first u64, last u64 }   first <= last; ranges strictly ascending and
///                                      non-adjacent-overlapping (first > previous last)
/// ```
/// ACK: "I hold these sequences". NACK: "resend these sequences" (a sender that no longer
/// has them answers with a bulk update instead).
public enum SyncSequenceRanges {
    /// Bytes before the first range.
    public static let prefixSize = 4
    /// Bytes per range.
    public static let rangeSize = 16

    /// The payload length for `count` ranges.
    public static func payloadLength(count: Int) -> Int { prefixSize + rangeSize * count }

    /// The most ranges a frame payload of `payloadLimit` bytes can hold.
    public static func maxCount(payloadLimit: Int) -> Int {
        max(0, min(Int(UInt16.max), (payloadLimit - prefixSize) / rangeSize))
    }

    /// The most an ACK delay says (about 65 ms); longer delays are sent as this.
    public static let maxDelayMicroseconds = UInt64(UInt16.max)

    /// Replaces `payload` with the encoding of `ranges` and an ACK's `delayMicroseconds`
    /// (saturating at ``maxDelayMicroseconds``; 0 for a NACK) (keeps the array's capacity).
    ///
    /// - Returns: `false` (and leaves `payload` empty) when `ranges` is empty, has more than
    ///   65535 entries, or is not strictly ascending.
    @discardableResult
    public static func encode(
        _ ranges: [ClosedRange<UInt64>], delayMicroseconds: UInt64 = 0, into payload: inout [UInt8]
    ) -> Bool {
        payload.removeAll(keepingCapacity: true)
        guard isWellFormed(ranges), ranges.count <= Int(UInt16.max) else { return false }
        FrameBytes.append(UInt16(ranges.count), to: &payload)
        FrameBytes.append(UInt16(min(delayMicroseconds, maxDelayMicroseconds)), to: &payload)
        for range in ranges {
            FrameBytes.append(range.lowerBound, to: &payload)
            FrameBytes.append(range.upperBound, to: &payload)
        }
        return true
    }

    /// Decodes a payload into `ranges` (cleared first, capacity kept) and returns an ACK's
    /// delay in microseconds (a NACK's must be 0).
    @discardableResult
    public static func decode(
        _ payload: UnsafeRawBufferPointer, kind: SyncFrameKind, into ranges: inout [ClosedRange<UInt64>]
    ) throws(SyncFrameError) -> UInt64 {
        ranges.removeAll(keepingCapacity: true)
        guard payload.count >= prefixSize else {
            throw .controlPayloadLength(kind: kind, length: payload.count)
        }
        let count = Int(FrameBytes.u16(payload, at: 0))
        guard payload.count == payloadLength(count: count) else {
            throw .controlPayloadLength(kind: kind, length: payload.count)
        }
        let delay = FrameBytes.u16(payload, at: 2)
        guard count > 0, delay == 0 || kind == .ack else {
            throw .controlPayloadInvalid(kind: kind)
        }
        var previousLast: UInt64? = nil
        for index in 0..<count {
            let offset = prefixSize + index * rangeSize
            let first = FrameBytes.u64(payload, at: offset)
            let last = FrameBytes.u64(payload, at: offset + 8)
            guard first <= last else { throw .controlPayloadInvalid(kind: kind) }
            if let previousLast, first <= previousLast { throw .controlPayloadInvalid(kind: kind) }
            ranges.append(first...last)
            previousLast = last
        }
        return UInt64(delay)
    }

    private static func isWellFormed(_ ranges: [ClosedRange<UInt64>]) -> Bool {
        guard !ranges.isEmpty else { return false }
        for index in ranges.indices.dropFirst()
        where ranges[index].lowerBound <= ranges[index - 1].upperBound {
            return false
        }
        return true
    }
}
