#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Socket option values that send a multicast group's datagrams by one interface (both
/// sync transports: raw pfsync and pfsyncd's UDP).
enum MulticastInterface {
    /// The IP_MULTICAST_IF value for an interface address. NIO passes an 8-byte integer,
    /// which Linux reads as a `struct ip_mreq` (group, interface): the address must be in
    /// bytes 4..<8 (in its first 4 bytes it would be taken for the group, and the
    /// interface left unset, so sends fail with ENETUNREACH on a link without routes).
    static func ipv4OptionValue(_ address: sockaddr_in) -> Int {
        let raw = UInt64(address.sin_addr.s_addr)
        #if _endian(little)
        return Int(bitPattern: UInt(raw << 32))
        #else
        return Int(bitPattern: UInt(raw))
        #endif
    }
}
