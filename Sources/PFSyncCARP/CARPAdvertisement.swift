/// One CARP version 2 advertisement: the 36-byte header.
///
/// | off | field |
/// |---|---|
/// | 0 | version (high nibble, 2), type (low nibble, 1) |
/// | 1 | vhid |
/// | 2 | advskew |
/// | 3 | authlen (7) |
/// | 4 | demote (OpenBSD; 0 from UCarp) |
/// | 5 | advbase |
/// | 6 | checksum |
/// | 8 | counter (64-bit, big-endian) |
/// | 16 | HMAC-SHA1 (20 bytes) |
public struct CARPAdvertisement: Sendable, Hashable {
    /// The virtual host id (1-255).
    public var vhid: UInt8
    /// The skew added to ``advbase``, in 1/256 s.
    public var advskew: UInt8
    /// The sender's demotion counter.
    public var demote: UInt8
    /// The base advertisement interval, seconds.
    public var advbase: UInt8
    /// The counter the HMAC covers.
    public var counter: UInt64
    /// The HMAC-SHA1 (20 bytes).
    public var digest: [UInt8]

    /// An advertisement with the given fields.
    public init(vhid: UInt8, advskew: UInt8, demote: UInt8, advbase: UInt8, counter: UInt64, digest: [UInt8]) {
        self.vhid = vhid
        self.advskew = advskew
        self.demote = demote
        self.advbase = advbase
        self.counter = counter
        self.digest = digest
    }

    /// An advertisement signed with `key` for `addresses`.
    public init(
        vhid: UInt8, advskew: UInt8, demote: UInt8, advbase: UInt8, counter: UInt64,
        addresses: [CARPIPv4Address], key: CARPKey
    ) {
        self.init(
            vhid: vhid, advskew: advskew, demote: demote, advbase: advbase, counter: counter,
            digest: key.digest(vhid: vhid, addresses: addresses, counter: counter))
    }

    /// The sender's advertisement interval.
    public var interval: CARPInterval { CARPInterval(advbase: advbase, advskew: advskew) }

    /// The 36 header bytes with the checksum filled in.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CARPProtocol.headerSize)
        bytes.append(CARPProtocol.version << 4 | CARPProtocol.typeAdvertisement)
        bytes.append(vhid)
        bytes.append(advskew)
        bytes.append(CARPProtocol.authLengthWords)
        bytes.append(demote)
        bytes.append(advbase)
        bytes.append(0)
        bytes.append(0)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift)))
        }
        for index in 0..<CARPProtocol.digestSize {
            bytes.append(index < digest.count ? digest[index] : 0)
        }
        let checksum = CARPChecksum.compute(bytes)
        bytes[6] = UInt8(truncatingIfNeeded: checksum >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: checksum)
        return bytes
    }

    /// Decodes a CARP payload (the bytes after the IP header). The checksum covers the
    /// whole payload, as OpenBSD checks it. Throws the first problem found.
    public static func decode(payload: some RandomAccessCollection<UInt8>) throws(CARPInputError) -> CARPAdvertisement {
        let bytes = Array(payload)
        guard bytes.count >= CARPProtocol.headerSize else { throw .badLength(bytes.count) }
        let version = bytes[0] >> 4
        guard version == CARPProtocol.version else { throw .badVersion(version) }
        let type = bytes[0] & 0x0F
        guard type == CARPProtocol.typeAdvertisement else { throw .badType(type) }
        guard CARPChecksum.compute(bytes) == 0 else { throw .badChecksum }
        guard bytes[1] != 0 else { throw .badVHID(0) }
        var counter: UInt64 = 0
        for index in 8..<16 { counter = counter << 8 | UInt64(bytes[index]) }
        return CARPAdvertisement(
            vhid: bytes[1], advskew: bytes[2], demote: bytes[4], advbase: bytes[5], counter: counter,
            digest: Array(bytes[16..<36]))
    }
}
