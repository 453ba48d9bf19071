extension IPProtocol {
    /// The protocol's name as /etc/protocols gives it (`tcp`, `udp`, `icmp`, `ipv6-icmp`,
    /// `gre`, `esp`, `ah`, `sctp`), `proto<number>` for the others.
    public static func name(_ proto: some BinaryInteger) -> String {
        switch UInt64(truncatingIfNeeded: proto) {
        case UInt64(tcp): return "tcp"
        case UInt64(udp): return "udp"
        case UInt64(icmp): return "icmp"
        case UInt64(icmpv6): return "ipv6-icmp"
        case 47: return "gre"
        case 50: return "esp"
        case 51: return "ah"
        case 132: return "sctp"
        default: return "proto\(proto)"
        }
    }
}
