/// Whether the sealer may LZ4-compress payloads.
public enum SyncFrameCompression: Sendable, Hashable {
    /// Never compress.
    case never
    /// Compress when the compressed block is strictly smaller than the raw payload.
    case whenSmaller
}

/// Builds authenticated sync frames into one reusable buffer.
///
/// In steady state sealing allocates nothing besides the HMAC state copies (see
/// ``SyncFrameAuthenticator``): the payload is compressed straight into the frame buffer, and
/// the returned slice shares that buffer. Drop the slice before the next `seal` (send it, then
/// forget it), or the next call has to copy the buffer.
public struct SyncFrameSealer: Sendable {
    /// This daemon's `creatorid`, written into every frame.
    public let senderID: UInt32
    /// This daemon's epoch (pick a fresh one at every start).
    public let epoch: UInt32
    /// The largest datagram the sealer produces, clamped to
    /// `SyncFrameLayout.minDatagramSize...SyncFrameLayout.maxDatagramSize`.
    public let maxDatagramSize: Int
    /// The compression policy.
    public var compression: SyncFrameCompression

    private let authenticator: SyncFrameAuthenticator
    private var frame: [UInt8]

    /// Creates a sealer.
    ///
    /// - Parameter maxDatagramSize: the path MTU minus IP and UDP headers
    ///   (1472 for IPv4 over a 1500-byte MTU, 1452 for IPv6).
    public init(
        key: SyncKey, senderID: UInt32, epoch: UInt32,
        maxDatagramSize: Int = SyncFrameLayout.defaultDatagramSize,
        compression: SyncFrameCompression = .whenSmaller
    ) {
        self.senderID = senderID
        self.epoch = epoch
        self.maxDatagramSize = min(
            max(maxDatagramSize, SyncFrameLayout.minDatagramSize), SyncFrameLayout.maxDatagramSize)
        self.compression = compression
        self.authenticator = SyncFrameAuthenticator(key: key)
        self.frame = [UInt8](repeating: 0, count: self.maxDatagramSize)
    }

    /// The largest raw payload that always fits, compressible or not.
    public var maxUncompressedPayload: Int { maxDatagramSize - SyncFrameLayout.overhead }

    /// Seals `payload` into a frame.
    ///
    /// - Parameters:
    ///   - kind: the frame kind.
    ///   - sequence: DATA: this frame's sequence number; other kinds: the highest DATA
    ///     sequence sent so far in this epoch.
    ///   - payload: the raw payload (for DATA, one encoded pfsync packet).
    ///   - acceleration: LZ4's acceleration (see ``LZ4Block/compress(_:into:acceleration:)``):
    ///     1 for live changes; a bulk update trades a few bytes for speed.
    /// - Returns: the datagram to send, valid until the next `seal`.
    public mutating func seal(
        kind: SyncFrameKind, sequence: UInt64, payload: UnsafeRawBufferPointer, acceleration: Int32 = 1
    ) throws(SyncFrameError) -> ArraySlice<UInt8> {
        let rawLength = payload.count
        guard rawLength <= SyncFrameLayout.maxRawLength else {
            throw .payloadTooLarge(length: rawLength)
        }
        let room = maxDatagramSize - SyncFrameLayout.overhead
        let headerSize = SyncFrameLayout.headerSize
        let policy = compression
        let authenticator = self.authenticator
        let senderID = self.senderID
        let epoch = self.epoch

        let frameLength = frame.withUnsafeMutableBytes { buffer -> Int? in
            var flags: SyncFrameFlags = []
            var payloadLength = rawLength
            let payloadArea = UnsafeMutableRawBufferPointer(rebasing: buffer[headerSize...])

            let compressedLength: Int? =
                if policy == .whenSmaller, rawLength > 1 {
                    LZ4Block.compress(
                        payload,
                        into: UnsafeMutableRawBufferPointer(
                            rebasing: payloadArea[..<min(rawLength - 1, room)]),
                        acceleration: acceleration)
                } else {
                    nil
                }
            if let compressedLength {
                flags.insert(.compressed)
                payloadLength = compressedLength
            } else {
                guard rawLength <= room else { return nil }
                if rawLength > 0 {
                    payloadArea.copyMemory(from: payload)
                }
            }

            let header = SyncFrameHeader(
                kind: kind, flags: flags, senderID: senderID, epoch: epoch,
                sequence: sequence, rawLength: rawLength, payloadLength: payloadLength)
            header.write(into: buffer)
            let signedLength = headerSize + payloadLength
            authenticator.writeTag(
                of: UnsafeRawBufferPointer(rebasing: buffer[..<signedLength]),
                into: UnsafeMutableRawBufferPointer(
                    rebasing: buffer[signedLength..<(signedLength + SyncFrameLayout.tagSize)]))
            return signedLength + SyncFrameLayout.tagSize
        }
        guard let frameLength else {
            throw .frameTooLarge(
                length: rawLength + SyncFrameLayout.overhead, limit: maxDatagramSize)
        }
        return frame[..<frameLength]
    }

    /// Seals a payload held in an array; otherwise the same as the raw-buffer `seal`.
    public mutating func seal(
        kind: SyncFrameKind, sequence: UInt64, payload: [UInt8]
    ) throws(SyncFrameError) -> ArraySlice<UInt8> {
        var result: Result<ArraySlice<UInt8>, SyncFrameError> = .success([])
        payload.withUnsafeBytes { bytes in
            do throws(SyncFrameError) {
                result = .success(try seal(kind: kind, sequence: sequence, payload: bytes))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }
}
