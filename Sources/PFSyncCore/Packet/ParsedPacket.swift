/// What the tracker needs to know about one captured packet, filled in place by the
/// packet parser (no allocation per packet: the parser reuses one instance).
///
/// Addresses use pf's 16-byte slots (IPv4 in the first 4 bytes). For ICMP and ICMPv6 echo
/// messages ``srcPort`` and ``dstPort`` both hold the echo id, as pf keys them.
public struct ParsedPacket: Sendable {
    /// Outcome of parsing.
    public enum Status: UInt8, Sendable {
        /// Fully parsed up to the transport header.
        case ok
        /// The packet is not IPv4 or IPv6 (ARP, LLDP, ...): not for the tracker.
        case notIP
        /// The headers are cut short (snaplen or a truncated packet).
        case truncated
        /// The headers are malformed (bad version, length fields that lie, ...).
        case malformed
    }

    /// TCP flag bits.
    public enum TCPFlags {
        public static let fin: UInt8 = 0x01
        public static let syn: UInt8 = 0x02
        public static let rst: UInt8 = 0x04
        public static let psh: UInt8 = 0x08
        public static let ack: UInt8 = 0x10
        public static let urg: UInt8 = 0x20
        public static let ece: UInt8 = 0x40
        public static let cwr: UInt8 = 0x80
    }

    /// Result of the last parse.
    public var status: Status = .notIP
    /// Capture time, seconds since the epoch.
    public var seconds: UInt32 = 0
    /// Capture time, microseconds within the second.
    public var microseconds: UInt32 = 0
    /// Length on the wire (pcap `len`).
    public var wireLength: UInt32 = 0
    /// IP total length (header + payload) as the IP header says.
    public var ipLength: UInt32 = 0
    /// Address family.
    public var af: AddressFamily = .inet
    /// Transport protocol (after IPv6 extension headers).
    public var proto: UInt8 = 0
    /// TTL / hop limit.
    public var ttl: UInt8 = 0
    /// Source and destination addresses.
    public var srcAddr: IPAddress = .zero
    public var dstAddr: IPAddress = .zero
    /// Source and destination ports (ICMP: the echo id in both).
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    /// True for a fragment; ``fragmentOffset`` in bytes; ``moreFragments`` the MF bit.
    public var isFragment: Bool = false
    public var fragmentOffset: UInt32 = 0
    public var moreFragments: Bool = false

    /// TCP: flags, sequence, acknowledgement, raw window, payload length.
    public var tcpFlags: UInt8 = 0
    public var seq: UInt32 = 0
    public var ack: UInt32 = 0
    public var window: UInt16 = 0
    /// TCP or UDP payload length in bytes (from the IP lengths, not the capture).
    public var payloadLength: UInt32 = 0
    /// TCP options found on this segment (only meaningful with the matching `has` flag).
    public var hasMSS: Bool = false
    public var mss: UInt16 = 0
    public var hasWindowScale: Bool = false
    public var windowScale: UInt8 = 0
    public var hasTimestamp: Bool = false
    public var sackPermitted: Bool = false
    /// The capture ends inside the TCP options (a short snaplen): the fixed header is
    /// whole, the options are those captured. A SYN's window scale is then unknown, and
    /// the tracker follows its state sloppily (``PFStateFlags/sloppy``).
    public var tcpOptionsCut: Bool = false

    /// ICMP / ICMPv6 type and code.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    /// True for an ICMP echo request/reply (IPv4 types 8/0, IPv6 128/129).
    public var isICMPQuery: Bool = false
    /// True for an ICMP error that quotes another packet (unreachable, time exceeded, ...).
    public var isICMPError: Bool = false
    /// For an ICMP error: the quoted packet's protocol, addresses, ports and TCP sequence
    /// number (valid when ``hasQuoted`` is true).
    public var hasQuoted: Bool = false
    public var quotedProto: UInt8 = 0
    public var quotedSrcAddr: IPAddress = .zero
    public var quotedDstAddr: IPAddress = .zero
    public var quotedSrcPort: UInt16 = 0
    public var quotedDstPort: UInt16 = 0
    public var quotedSeq: UInt32 = 0

    /// Creates an empty packet record.
    public init() {}
}
