import PFSyncCore

/// Where an IP packet's upper-layer payload sits in a frame: what `pfsyncd decode` needs to
/// find pfsync (IP protocol 240) and sync frames (UDP).
public struct PayloadLocation: Sendable, Hashable {
    /// `.ok` when the payload was located; otherwise why not.
    public var status: ParsedPacket.Status = .notIP
    /// Address family of the packet.
    public var af: AddressFamily = .inet
    /// Upper-layer protocol (after IPv6 extension headers).
    public var proto: UInt8 = 0
    /// TTL or hop limit (pfsync requires 255).
    public var ttl: UInt8 = 0
    /// Source address.
    public var srcAddr: IPAddress = .zero
    /// Destination address.
    public var dstAddr: IPAddress = .zero
    /// UDP source port (zero for other protocols).
    public var srcPort: UInt16 = 0
    /// UDP destination port (zero for other protocols).
    public var dstPort: UInt16 = 0
    /// True for any IP fragment: the payload is then not a whole message.
    public var isFragment = false
    /// Offset of the payload in the frame: the UDP payload for UDP, else the IP payload.
    public var payloadOffset: Int = 0
    /// Payload bytes present in the capture (bounded by the IP lengths).
    public var capturedLength: Int = 0
    /// Payload bytes according to the IP (and UDP) length fields.
    public var declaredLength: Int = 0

    /// Creates an empty location (status `.notIP`).
    public init() {}

    /// True when fewer payload bytes were captured than the headers announce.
    public var isCut: Bool { capturedLength < declaredLength }
}

extension PacketParser {
    /// Locates the upper-layer payload of `frame` (IPv4 or IPv6). For UDP the payload is
    /// after the UDP header and the ports are filled; for other protocols it is the whole
    /// IP payload after extension headers.
    public func locatePayload(_ frame: UnsafeRawBufferPointer) -> PayloadLocation {
        var location = PayloadLocation()
        let network: NetworkHeader
        switch LinkLayer.locate(frame, linkType: linkType) {
        case let .ipv4(offset): network = NetworkHeader.ipv4(frame, at: offset)
        case let .ipv6(offset): network = NetworkHeader.ipv6(frame, at: offset)
        case .other: return location
        case .truncated: location.status = .truncated; return location
        }
        location.status = network.status
        location.af = network.af
        location.proto = network.proto
        location.ttl = network.ttl
        location.srcAddr = network.src
        location.dstAddr = network.dst
        location.isFragment = network.isFragment
        guard network.status == .ok else { return location }
        var start = network.transportOffset
        var declared = network.transportLength
        if network.proto == 17 && network.hasTransportHeader {
            guard declared >= 8 else { location.status = .malformed; return location }
            guard frame.has(start, 8), start + 8 <= network.capturedEnd else {
                location.status = .truncated
                return location
            }
            location.srcPort = frame.be16(start)
            location.dstPort = frame.be16(start + 2)
            let udpLength = Int(frame.be16(start + 4))
            start += 8
            declared = udpLength >= 8 && udpLength - 8 <= declared - 8 ? udpLength - 8 : declared - 8
        }
        location.payloadOffset = start
        location.declaredLength = declared
        location.capturedLength = max(0, min(declared, network.capturedEnd - start))
        return location
    }

    /// The located payload's bytes within `frame` (empty unless `location.status == .ok`).
    public func payload(of location: PayloadLocation, in frame: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard location.status == .ok, frame.has(location.payloadOffset, location.capturedLength) else {
            return UnsafeRawBufferPointer(rebasing: frame[0..<0])
        }
        return UnsafeRawBufferPointer(rebasing: frame[location.payloadOffset..<(location.payloadOffset + location.capturedLength)])
    }
}
