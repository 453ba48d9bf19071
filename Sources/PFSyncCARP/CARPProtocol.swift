/// Fixed numbers of CARP version 2 (OpenBSD `ip_carp.h`, UCarp `carp_p.h`).
public enum CARPProtocol {
    /// The IP protocol number of CARP advertisements.
    public static let ipProtocol: UInt8 = 112
    /// The IPv4 multicast group advertisements go to by default.
    public static let ipv4Group = "224.0.0.18"
    /// The only version spoken.
    public static let version: UInt8 = 2
    /// The only message type: an advertisement.
    public static let typeAdvertisement: UInt8 = 1
    /// The TTL an advertisement is sent with and must arrive with.
    public static let requiredTTL: UInt8 = 255
    /// The size of the CARP header, HMAC included.
    public static let headerSize = 36
    /// The authlen field: the authentication data's length in 32-bit words (counter + HMAC).
    public static let authLengthWords: UInt8 = 7
    /// The size of the HMAC-SHA1 digest.
    public static let digestSize = 20
    /// The size of the key the password is copied into (zero padded).
    public static let keySize = 20
    /// The largest advskew a node configures (255 with advbase 255 means "leaving").
    public static let maximumSkew: UInt8 = 254
}
