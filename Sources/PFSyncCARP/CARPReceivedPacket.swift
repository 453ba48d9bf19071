/// A CARP advertisement as received on a raw IPv4 socket (the bytes include the IP header).
public struct CARPReceivedPacket: Sendable, Hashable {
    /// The IP source address.
    public var source: CARPIPv4Address
    /// The IP destination address (224.0.0.18 or a unicast address).
    public var destination: CARPIPv4Address
    /// The decoded header (the HMAC is not verified yet).
    public var advertisement: CARPAdvertisement

    /// Wraps decoded parts.
    public init(source: CARPIPv4Address, destination: CARPIPv4Address, advertisement: CARPAdvertisement) {
        self.source = source
        self.destination = destination
        self.advertisement = advertisement
    }

    /// Parses an IPv4 packet: header sanity, protocol 112, TTL 255, then the CARP header
    /// (length, version, type, checksum). Bytes beyond the IP total length are ignored.
    public static func parse(ipv4 bytes: some RandomAccessCollection<UInt8>) throws(CARPInputError) -> CARPReceivedPacket {
        let packet = Array(bytes)
        guard packet.count >= 20, packet[0] >> 4 == 4 else { throw .badIPHeader }
        let headerLength = Int(packet[0] & 0x0F) * 4
        let totalLength = Int(packet[2]) << 8 | Int(packet[3])
        guard headerLength >= 20, totalLength >= headerLength, totalLength <= packet.count else { throw .badIPHeader }
        guard packet[9] == CARPProtocol.ipProtocol else { throw .notCARP(packet[9]) }
        guard packet[8] == CARPProtocol.requiredTTL else { throw .badTTL(packet[8]) }
        guard let source = CARPIPv4Address(bytes: packet, at: 12),
              let destination = CARPIPv4Address(bytes: packet, at: 16)
        else { throw .badIPHeader }
        let advertisement = try CARPAdvertisement.decode(payload: packet[headerLength..<totalLength])
        return CARPReceivedPacket(source: source, destination: destination, advertisement: advertisement)
    }
}
