/// Why an LZ4 block could not be decompressed.
public enum LZ4Error: Error, Equatable, Sendable {
    /// The declared raw length is larger than the caller's hard limit (a decompression bomb).
    case declaredLengthTooLarge(declared: Int, limit: Int)
    /// The output buffer is smaller than the declared raw length.
    case outputBufferTooSmall(declared: Int, capacity: Int)
    /// The input or output size does not fit LZ4's `Int32` sizes.
    case sizeOutOfRange(Int)
    /// The block is malformed or would expand past the declared raw length
    /// (`LZ4_decompress_safe` returned this negative code).
    case malformedBlock(code: Int32)
    /// The block decoded without error but produced a length other than the declared one.
    case lengthMismatch(declared: Int, decoded: Int)
}
