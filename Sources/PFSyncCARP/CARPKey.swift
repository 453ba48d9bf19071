import Crypto

/// The CARP password as OpenBSD and UCarp use it: copied into 20 bytes, zero padded, and
/// used as the HMAC-SHA1 key (HMAC pads it to 64 bytes and XORs 0x36 / 0x5c).
public struct CARPKey: Sendable {
    private let key: SymmetricKey

    /// Why a password cannot be a CARP key.
    public struct TooLong: Error, Sendable, CustomStringConvertible {
        /// The password's length in bytes.
        public let length: Int
        public var description: String { "a CARP password is at most 19 bytes (got \(length))" }
    }

    /// Makes the key from a password of at most 19 bytes.
    public init(password: String) throws(TooLong) {
        let bytes = Array(password.utf8)
        guard bytes.count < CARPProtocol.keySize else { throw TooLong(length: bytes.count) }
        key = SymmetricKey(data: bytes + [UInt8](repeating: 0, count: CARPProtocol.keySize - bytes.count))
    }

    /// The message the HMAC covers: version, type, vhid, the IPv4 addresses in ascending
    /// order (network byte order), then the 8-byte counter as it is on the wire.
    public static func hashedMessage(vhid: UInt8, addresses: [CARPIPv4Address], counter: UInt64) -> [UInt8] {
        var message: [UInt8] = [CARPProtocol.version, CARPProtocol.typeAdvertisement, vhid]
        message.reserveCapacity(3 + 4 * addresses.count + 8)
        for address in addresses.sorted() { address.append(to: &message) }
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift)))
        }
        return message
    }

    /// The 20-byte HMAC-SHA1 of an advertisement of `vhid` for `addresses` with `counter`.
    public func digest(vhid: UInt8, addresses: [CARPIPv4Address], counter: UInt64) -> [UInt8] {
        let message = Self.hashedMessage(vhid: vhid, addresses: addresses, counter: counter)
        return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
    }

    /// True when `digest` is the HMAC of that advertisement (compared in constant time).
    public func verifies(_ digest: [UInt8], vhid: UInt8, addresses: [CARPIPv4Address], counter: UInt64) -> Bool {
        let message = Self.hashedMessage(vhid: vhid, addresses: addresses, counter: counter)
        return HMAC<Insecure.SHA1>.isValidAuthenticationCode(digest, authenticating: message, using: key)
    }
}
