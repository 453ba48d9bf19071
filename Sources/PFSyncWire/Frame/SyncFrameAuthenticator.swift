import Crypto

/// Computes and verifies frame tags: HMAC-SHA256 keyed with the ``SyncKey``, over the header
/// and payload exactly as sent, truncated to the first 16 bytes (as RFC 4868 truncates
/// HMAC-SHA-256-128 for IPsec).
///
/// The keyed inner and outer hash states are computed once; each tag copies them. On Linux
/// swift-crypto's SHA-256 state lives in a class, so that copy costs one small allocation per
/// hash state per frame; no other allocation happens.
public struct SyncFrameAuthenticator: Sendable {
    private let keyed: HMAC<SHA256>

    /// Prepares the keyed HMAC state.
    public init(key: SyncKey) {
        keyed = HMAC<SHA256>(key: key.symmetricKey)
    }

    /// Writes the 16-byte tag of `message` to the front of `tag` (which must hold 16 bytes).
    public func writeTag(of message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawBufferPointer) {
        var hmac = keyed
        hmac.update(data: message)
        let code = hmac.finalize()
        code.withUnsafeBytes { full in
            let count = min(SyncFrameLayout.tagSize, tag.count, full.count)
            for index in 0..<count { tag[index] = full[index] }
        }
    }

    /// Whether `tag` (16 bytes) is the tag of `message`. Compares in constant time.
    public func verify(tag: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer) -> Bool {
        guard tag.count == SyncFrameLayout.tagSize else { return false }
        var hmac = keyed
        hmac.update(data: message)
        let code = hmac.finalize()
        return code.withUnsafeBytes { full in
            guard full.count >= SyncFrameLayout.tagSize else { return false }
            var difference: UInt8 = 0
            for index in 0..<SyncFrameLayout.tagSize { difference |= full[index] ^ tag[index] }
            return difference == 0
        }
    }
}
