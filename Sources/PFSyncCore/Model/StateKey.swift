/// One of a state's two keys (`struct pf_state_key`): two addresses and two ports.
/// Key 0 is the wire side, key 1 the stack side; they differ only under NAT.
public struct StateKey: Hashable, Sendable {
    /// addr[0] and addr[1].
    public var addr0: IPAddress
    public var addr1: IPAddress
    /// port[0] and port[1] (for ICMP: the echo id in both, as pf does).
    public var port0: UInt16
    public var port1: UInt16
    /// OpenBSD's routing domain of the key (0 elsewhere).
    public var rdomain: UInt16
    /// OpenBSD's per-key address family (equals the state's family unless af-to).
    public var af: AddressFamily

    /// Creates a key.
    @inlinable
    public init(
        addr0: IPAddress, addr1: IPAddress, port0: UInt16, port1: UInt16,
        rdomain: UInt16 = 0, af: AddressFamily = .inet
    ) {
        self.addr0 = addr0
        self.addr1 = addr1
        self.port0 = port0
        self.port1 = port1
        self.rdomain = rdomain
        self.af = af
    }

    /// The all-zero key.
    public static let zero = StateKey(addr0: .zero, addr1: .zero, port0: 0, port1: 0)
}

/// What the table indexes a key under: the key plus the protocol, because pf's key
/// includes the protocol (a TCP and a UDP flow may share addresses and ports).
public struct StateLookupKey: Hashable, Sendable {
    /// The addresses, ports and family.
    public var key: StateKey
    /// IP protocol number.
    public var proto: UInt8

    /// Creates a lookup key.
    @inlinable
    public init(key: StateKey, proto: UInt8) {
        self.key = key
        self.proto = proto
    }
}
