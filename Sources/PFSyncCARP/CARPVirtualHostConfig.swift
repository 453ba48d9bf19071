/// The settings of one virtual host (one vhid).
public struct CARPVirtualHostConfig: Sendable {
    /// The virtual host id, 1-255.
    public var vhid: UInt8
    /// Base advertisement interval, seconds (1-255).
    public var advbase: UInt8
    /// Skew in 1/256 s; the lower, the more preferred.
    public var advskew: UInt8
    /// Take over from a master that advertises slower than this node.
    public var preempt: Bool
    /// The virtual IPv4 addresses (the HMAC covers them, sorted).
    public var addresses: [CARPIPv4Address]
    /// The HMAC key made from the password.
    public var key: CARPKey
    /// Master-down multiplier of advbase (CARP: 3; UCarp's deadratio), 1-255.
    public var deadRatio: UInt32

    /// A virtual host.
    public init(
        vhid: UInt8, advbase: UInt8 = 1, advskew: UInt8 = 0, preempt: Bool = false,
        addresses: [CARPIPv4Address], key: CARPKey, deadRatio: UInt32 = 3
    ) {
        self.vhid = vhid
        self.advbase = max(advbase, 1)
        self.advskew = min(advskew, CARPProtocol.maximumSkew)
        self.preempt = preempt
        self.addresses = addresses.sorted()
        self.key = key
        self.deadRatio = max(1, min(deadRatio, 255))
    }
}
