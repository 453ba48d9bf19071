/// The payload of a KEEPALIVE frame (4 bytes).
///
/// ```
/// 0  interval u32   milliseconds until the sender's next keepalive, at least 1
/// ```
/// The header's sequence field carries the highest DATA sequence sent in this epoch, so a
/// receiver learns of lost trailing frames from any keepalive.
public struct SyncKeepalive: Sendable, Hashable {
    /// The payload length.
    public static let payloadLength = 4

    /// Milliseconds until the sender's next keepalive.
    public var intervalMilliseconds: UInt32

    /// Creates a keepalive payload.
    public init(intervalMilliseconds: UInt32) {
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// Replaces `payload` with this keepalive's encoding (keeps the array's capacity).
    public func encode(into payload: inout [UInt8]) {
        payload.removeAll(keepingCapacity: true)
        FrameBytes.append(intervalMilliseconds, to: &payload)
    }

    /// Decodes a keepalive payload.
    public init(decoding payload: UnsafeRawBufferPointer) throws(SyncFrameError) {
        guard payload.count == Self.payloadLength else {
            throw .controlPayloadLength(kind: .keepalive, length: payload.count)
        }
        intervalMilliseconds = FrameBytes.u32(payload, at: 0)
        guard intervalMilliseconds > 0 else { throw .controlPayloadInvalid(kind: .keepalive) }
    }
}
