import CLZ4

/// The LZ4 block format (no frame header, no checksum), wrapped for bounded, allocation-free use.
///
/// The caller owns every buffer: compression writes into a caller-provided region and reports
/// whether the result fit; decompression writes at most the declared raw length, which the
/// caller caps with a hard limit first, so a hostile block can never make it allocate or write
/// more than that (no decompression bombs).
public enum LZ4Block {
    /// LZ4's own input-size ceiling (`LZ4_MAX_INPUT_SIZE`).
    public static let maxInputSize = Int(LZ4_MAX_INPUT_SIZE)

    /// The worst-case compressed size of `rawLength` bytes (`LZ4_compressBound`), or `nil` when
    /// `rawLength` is negative or above ``maxInputSize``.
    public static func compressBound(_ rawLength: Int) -> Int? {
        guard rawLength >= 0, rawLength <= maxInputSize else { return nil }
        return Int(LZ4_compressBound(Int32(rawLength)))
    }

    /// Compresses `source` into `destination` (`LZ4_compress_fast`; acceleration 1 is
    /// `LZ4_compress_default`).
    ///
    /// Uses only the stack for LZ4's hash table; allocates nothing.
    ///
    /// - Parameter acceleration: LZ4's speed knob: each step up skips more positions when
    ///   no match is found (faster, usually a little larger); values below 1 count as 1.
    /// - Returns: the compressed length, or `nil` when the result would not fit into
    ///   `destination` (pass a destination shorter than `source` to compress only when it
    ///   saves space) or when a size is outside LZ4's range. An empty source yields `nil`.
    public static func compress(
        _ source: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer,
        acceleration: Int32 = 1
    ) -> Int? {
        guard
            let sourceBase = source.baseAddress, !source.isEmpty, source.count <= maxInputSize,
            let destinationBase = destination.baseAddress, !destination.isEmpty,
            destination.count <= Int(Int32.max)
        else { return nil }
        let written = LZ4_compress_fast(
            sourceBase.assumingMemoryBound(to: CChar.self),
            destinationBase.assumingMemoryBound(to: CChar.self),
            Int32(source.count),
            Int32(destination.count),
            max(1, acceleration)
        )
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses one block into the front of `destination` (`LZ4_decompress_safe`).
    ///
    /// The decoder is given exactly `declaredLength` bytes of room, so it can never write past
    /// them; a block that decodes to any other length is an error.
    ///
    /// - Parameters:
    ///   - source: the compressed block, exactly as received.
    ///   - declaredLength: the raw length the sender declared.
    ///   - limit: the hard ceiling on `declaredLength`, checked before anything is decoded.
    ///   - destination: where the raw bytes go; must hold at least `declaredLength` bytes.
    /// - Returns: the decoded length (always equal to `declaredLength`).
    @discardableResult
    public static func decompress(
        _ source: UnsafeRawBufferPointer,
        declaredLength: Int,
        limit: Int,
        into destination: UnsafeMutableRawBufferPointer
    ) throws(LZ4Error) -> Int {
        guard declaredLength <= limit else {
            throw .declaredLengthTooLarge(declared: declaredLength, limit: limit)
        }
        guard declaredLength <= destination.count else {
            throw .outputBufferTooSmall(declared: declaredLength, capacity: destination.count)
        }
        guard declaredLength >= 0, declaredLength <= Int(Int32.max) else {
            throw .sizeOutOfRange(declaredLength)
        }
        guard source.count <= Int(Int32.max) else { throw .sizeOutOfRange(source.count) }
        guard let sourceBase = source.baseAddress, !source.isEmpty else {
            throw .malformedBlock(code: -1)
        }
        guard let destinationBase = destination.baseAddress else {
            throw .outputBufferTooSmall(declared: declaredLength, capacity: 0)
        }
        let decoded = LZ4_decompress_safe(
            sourceBase.assumingMemoryBound(to: CChar.self),
            destinationBase.assumingMemoryBound(to: CChar.self),
            Int32(source.count),
            Int32(declaredLength)
        )
        guard decoded >= 0 else { throw .malformedBlock(code: decoded) }
        guard Int(decoded) == declaredLength else {
            throw .lengthMismatch(declared: declaredLength, decoded: Int(decoded))
        }
        return Int(decoded)
    }
}
