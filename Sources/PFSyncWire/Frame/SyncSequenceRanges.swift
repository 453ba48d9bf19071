/// The payload of ACK and NACK frames: inclusive ranges of DATA sequence numbers.
///
/// ```
/// 0  count u16       number of ranges, at least 1
/// 2  reserved u16    0
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

    /// Replaces `payload` with the encoding of `ranges` (keeps the array's capacity).
    ///
    /// - Returns: `false` (and leaves `payload` empty) when `ranges` is empty, has more than
    ///   65535 entries, or is not strictly ascending.
    @discardableResult
    public static func encode(_ ranges: [ClosedRange<UInt64>], into payload: inout [UInt8]) -> Bool {
        payload.removeAll(keepingCapacity: true)
        guard isWellFormed(ranges), ranges.count <= Int(UInt16.max) else { return false }
        FrameBytes.append(UInt16(ranges.count), to: &payload)
        FrameBytes.append(UInt16(0), to: &payload)
        for range in ranges {
            FrameBytes.append(range.lowerBound, to: &payload)
            FrameBytes.append(range.upperBound, to: &payload)
        }
        return true
    }

    /// Decodes a payload into `ranges` (cleared first, capacity kept).
    public static func decode(
        _ payload: UnsafeRawBufferPointer, kind: SyncFrameKind, into ranges: inout [ClosedRange<UInt64>]
    ) throws(SyncFrameError) {
        ranges.removeAll(keepingCapacity: true)
        guard payload.count >= prefixSize else {
            throw .controlPayloadLength(kind: kind, length: payload.count)
        }
        let count = Int(FrameBytes.u16(payload, at: 0))
        guard payload.count == payloadLength(count: count) else {
            throw .controlPayloadLength(kind: kind, length: payload.count)
        }
        guard count > 0, FrameBytes.u16(payload, at: 2) == 0 else {
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
