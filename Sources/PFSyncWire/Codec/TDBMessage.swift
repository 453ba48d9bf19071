import PFSyncCore

/// A `TDB` message: IPsec replay counters (FreeBSD action 11, 48 bytes; OpenBSD action 15,
/// 52 bytes). pfsyncd does not act on it; it is decoded so that it can be shown and relayed.
///
/// `dst` is a BSD `sockaddr_union` (28 bytes), kept byte for byte in the fields below:
/// a `sockaddr_in` puts its address in ``dstFlowInfo``'s place; a `sockaddr_in6` uses
/// flow info, ``dstAddress`` and ``dstScopeID`` as named.
public struct TDBMessage: Sendable, Hashable {
    /// Security parameter index.
    public var spi: UInt32
    /// `dst` byte 0: sockaddr length.
    public var dstLength: UInt8
    /// `dst` byte 1: the sender's raw address-family number.
    public var dstFamily: UInt8
    /// `dst` bytes 2..<4: port.
    public var dstPort: UInt16
    /// `dst` bytes 4..<8: IPv6 flow info, or the IPv4 address of a `sockaddr_in`.
    public var dstFlowInfo: UInt32
    /// `dst` bytes 8..<24: the IPv6 address (zero padding for IPv4).
    public var dstAddress: IPAddress
    /// `dst` bytes 24..<28: the IPv6 scope id.
    public var dstScopeID: UInt32
    /// Replay counter (32 bits on FreeBSD, 64 on OpenBSD).
    public var rpl: UInt64
    /// Bytes processed.
    public var curBytes: UInt64
    /// IPsec protocol (50 ESP, 51 AH, ...).
    public var sproto: UInt8
    /// Update count.
    public var updates: UInt8
    /// OpenBSD's routing domain (0 for FreeBSD, where these bytes are padding).
    public var rdomain: UInt16

    /// Creates a TDB message; everything not given is zero.
    public init(
        spi: UInt32 = 0, dstLength: UInt8 = 0, dstFamily: UInt8 = 0, dstPort: UInt16 = 0,
        dstFlowInfo: UInt32 = 0, dstAddress: IPAddress = .zero, dstScopeID: UInt32 = 0,
        rpl: UInt64 = 0, curBytes: UInt64 = 0, sproto: UInt8 = 0, updates: UInt8 = 0,
        rdomain: UInt16 = 0
    ) {
        self.spi = spi
        self.dstLength = dstLength
        self.dstFamily = dstFamily
        self.dstPort = dstPort
        self.dstFlowInfo = dstFlowInfo
        self.dstAddress = dstAddress
        self.dstScopeID = dstScopeID
        self.rpl = rpl
        self.curBytes = curBytes
        self.sproto = sproto
        self.updates = updates
        self.rdomain = rdomain
    }
}
