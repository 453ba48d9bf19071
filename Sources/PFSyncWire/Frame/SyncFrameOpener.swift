/// Checks and unpacks received sync frames into one reusable buffer.
///
/// Order of checks: size, magic, version, lengths (to find the tag), then the tag in constant
/// time, and only then kind, flags, raw length and decompression. Nothing is decompressed
/// before the tag verifies (unless the opener has no key), and never more than ``maxRawLength``
/// bytes.
public struct SyncFrameOpener: Sendable {
    /// The largest raw payload accepted (at most 65535).
    public let maxRawLength: Int

    /// Whether a datagram may carry zero bytes after its frame (HELLO's padded-frames
    /// feature: how frames of unequal length share one UDP GSO send). Without it, any byte
    /// after the tag is a length error.
    public let acceptsZeroPadding: Bool

    private let authenticator: SyncFrameAuthenticator?
    private var buffer: [UInt8]

    /// Creates an opener.
    ///
    /// - Parameters:
    ///   - key: the pre-shared key; `nil` skips authentication, which only offline tools
    ///     such as `pfsyncd decode` should do (results say ``SyncFrameAuthentication/skipped``).
    ///   - maxRawLength: the raw-length ceiling, clamped to `0...65535`.
    ///   - acceptsZeroPadding: whether zero bytes may follow the frame (see
    ///     ``acceptsZeroPadding``).
    public init(key: SyncKey?, maxRawLength: Int = SyncFrameLayout.maxRawLength, acceptsZeroPadding: Bool = false) {
        self.acceptsZeroPadding = acceptsZeroPadding
        self.authenticator = key.map(SyncFrameAuthenticator.init(key:))
        self.maxRawLength = min(max(maxRawLength, 0), SyncFrameLayout.maxRawLength)
        self.buffer = [UInt8](repeating: 0, count: self.maxRawLength)
    }

    /// Opens one datagram.
    public mutating func open(_ datagram: UnsafeRawBufferPointer) throws(SyncFrameError)
        -> SyncOpenedFrame
    {
        typealias O = SyncFrameLayout.Offset
        guard datagram.count >= SyncFrameLayout.overhead else {
            throw .truncated(length: datagram.count)
        }
        let magic = FrameBytes.u32(datagram, at: O.magic)
        guard magic == SyncFrameLayout.magic else { throw .badMagic(magic) }
        let version = datagram[O.version]
        guard version == SyncFrameLayout.version else { throw .unsupportedVersion(version) }

        let payloadLength = Int(FrameBytes.u16(datagram, at: O.payloadLength))
        let expected = SyncFrameLayout.overhead + payloadLength
        guard datagram.count == expected || (acceptsZeroPadding && Self.isZeroPadding(datagram, after: expected)) else {
            throw .lengthMismatch(datagram: datagram.count, expected: expected)
        }
        let datagram = UnsafeRawBufferPointer(rebasing: datagram[..<expected])
        let signedLength = SyncFrameLayout.headerSize + payloadLength
        let signed = UnsafeRawBufferPointer(rebasing: datagram[..<signedLength])
        let tag = UnsafeRawBufferPointer(rebasing: datagram[signedLength...])
        let authentication: SyncFrameAuthentication
        if let authenticator {
            guard authenticator.verify(tag: tag, of: signed) else { throw .badTag }
            authentication = .verified
        } else {
            authentication = .skipped
        }

        let reserved = datagram[O.reserved]
        guard reserved == 0 else { throw .reservedNotZero(reserved) }
        let flags = SyncFrameFlags(rawValue: datagram[O.flags])
        guard SyncFrameFlags.known.isSuperset(of: flags) else { throw .unknownFlags(flags.rawValue) }
        let kindByte = datagram[O.kind]
        guard let kind = SyncFrameKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }

        let rawLength = Int(FrameBytes.u16(datagram, at: O.rawLength))
        guard rawLength <= maxRawLength else {
            throw .rawLengthTooLarge(raw: rawLength, limit: maxRawLength)
        }
        let payload = UnsafeRawBufferPointer(
            rebasing: datagram[O.payload..<(O.payload + payloadLength)])
        if flags.contains(.compressed) {
            guard rawLength > 0, payloadLength > 0 else { throw .emptyCompressedPayload }
            try decompress(payload, rawLength: rawLength)
        } else {
            guard rawLength == payloadLength else {
                throw .rawLengthMismatch(raw: rawLength, payload: payloadLength)
            }
            if rawLength > 0 {
                buffer.withUnsafeMutableBytes { $0.copyMemory(from: payload) }
            }
        }

        let header = SyncFrameHeader(
            kind: kind, flags: flags,
            senderID: FrameBytes.u32(datagram, at: O.senderID),
            epoch: FrameBytes.u32(datagram, at: O.epoch),
            sequence: FrameBytes.u64(datagram, at: O.sequence),
            rawLength: rawLength, payloadLength: payloadLength)
        return SyncOpenedFrame(
            header: header, payload: buffer[..<rawLength], authentication: authentication)
    }

    /// Whether `datagram` is longer than `frameLength` and holds only zero bytes after it.
    static func isZeroPadding(_ datagram: UnsafeRawBufferPointer, after frameLength: Int) -> Bool {
        guard datagram.count > frameLength else { return false }
        var bits: UInt8 = 0
        for byte in datagram[frameLength...] { bits |= byte }
        return bits == 0
    }

    /// Opens a datagram held in an array.
    public mutating func open(_ datagram: [UInt8]) throws(SyncFrameError) -> SyncOpenedFrame {
        try open(datagram[...])
    }

    /// Opens a datagram held in an array slice.
    public mutating func open(_ datagram: ArraySlice<UInt8>) throws(SyncFrameError)
        -> SyncOpenedFrame
    {
        var result: Result<SyncOpenedFrame, SyncFrameError> = .failure(.truncated(length: 0))
        datagram.withUnsafeBytes { bytes in
            do throws(SyncFrameError) {
                result = .success(try open(bytes))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func decompress(_ payload: UnsafeRawBufferPointer, rawLength: Int)
        throws(SyncFrameError)
    {
        let limit = maxRawLength
        let outcome = buffer.withUnsafeMutableBytes { output -> LZ4Error? in
            do throws(LZ4Error) {
                try LZ4Block.decompress(
                    payload, declaredLength: rawLength, limit: limit, into: output)
                return nil
            } catch {
                return error
            }
        }
        if let outcome { throw .decompressionFailed(outcome) }
    }
}
