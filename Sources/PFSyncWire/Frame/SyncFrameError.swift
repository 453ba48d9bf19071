import PFSyncCore

/// Why a sync frame could not be opened (or sealed). Each case carries the offending value
/// and maps to a pfsync statistics counter through ``counter``.
public enum SyncFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The datagram is shorter than header plus tag (44 bytes).
    case truncated(length: Int)
    /// The first four bytes are not "PFSD".
    case badMagic(UInt32)
    /// A frame version other than ``SyncFrameLayout/version``.
    case unsupportedVersion(UInt8)
    /// Flag bits this version does not define.
    case unknownFlags(UInt8)
    /// The reserved header byte is not zero.
    case reservedNotZero(UInt8)
    /// A kind byte that is not a ``SyncFrameKind``.
    case unknownKind(UInt8)
    /// The authentication tag does not match the key.
    case badTag
    /// The datagram length is not header + payload length + tag.
    case lengthMismatch(datagram: Int, expected: Int)
    /// An uncompressed frame whose raw length differs from its payload length.
    case rawLengthMismatch(raw: Int, payload: Int)
    /// A compressed frame with an empty payload or an empty raw length.
    case emptyCompressedPayload
    /// The declared raw length exceeds the receiver's limit (a decompression bomb).
    case rawLengthTooLarge(raw: Int, limit: Int)
    /// The LZ4 block is malformed or does not decode to exactly the declared raw length.
    case decompressionFailed(LZ4Error)
    /// A control payload (ACK, NACK, KEEPALIVE, HELLO) has the wrong length for its kind.
    case controlPayloadLength(kind: SyncFrameKind, length: Int)
    /// A control payload's content is invalid (empty or unordered ranges, zero interval, ...).
    case controlPayloadInvalid(kind: SyncFrameKind)
    /// Send side: the raw payload is longer than 65535 bytes.
    case payloadTooLarge(length: Int)
    /// Send side: even compressed, the frame does not fit the datagram limit.
    case frameTooLarge(length: Int, limit: Int)

    /// The pfsync counter this error increments.
    public var counter: SyncFrameCounter {
        switch self {
        case .truncated: .hdrops
        case .badMagic, .unsupportedVersion, .unknownFlags, .reservedNotZero: .badver
        case .unknownKind: .badact
        case .badTag: .badauth
        case .lengthMismatch, .rawLengthMismatch, .emptyCompressedPayload, .controlPayloadLength:
            .badlen
        case .rawLengthTooLarge, .decompressionFailed, .controlPayloadInvalid: .badval
        case .payloadTooLarge, .frameTooLarge: .oerrors
        }
    }

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .truncated(let length): "datagram of \(length) bytes is shorter than a frame"
        case .badMagic(let magic): "bad magic \(Hex.u32(magic))"
        case .unsupportedVersion(let version): "unsupported frame version \(version)"
        case .unknownFlags(let flags): "unknown flag bits in \(flags)"
        case .reservedNotZero(let value): "reserved byte is \(value), not 0"
        case .unknownKind(let kind): "unknown frame kind \(kind)"
        case .badTag: "authentication tag does not verify"
        case .lengthMismatch(let datagram, let expected):
            "datagram is \(datagram) bytes, header says \(expected)"
        case .rawLengthMismatch(let raw, let payload):
            "uncompressed frame declares raw length \(raw) but carries \(payload) bytes"
        case .emptyCompressedPayload: "compressed frame with an empty payload"
        case .rawLengthTooLarge(let raw, let limit): "raw length \(raw) exceeds limit \(limit)"
        case .decompressionFailed(let error): "LZ4 decompression failed: \(error)"
        case .controlPayloadLength(let kind, let length):
            "\(kind) payload of \(length) bytes has the wrong length"
        case .controlPayloadInvalid(let kind): "\(kind) payload is invalid"
        case .payloadTooLarge(let length): "payload of \(length) bytes exceeds 65535"
        case .frameTooLarge(let length, let limit):
            "frame of \(length) bytes exceeds the datagram limit \(limit)"
        }
    }
}
