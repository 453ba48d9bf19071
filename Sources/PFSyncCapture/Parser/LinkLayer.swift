/// Finds the network-layer header behind a frame's link-layer header.
enum LinkLayer {
    /// What follows the link-layer header.
    enum Network: Equatable {
        case ipv4(offset: Int)
        case ipv6(offset: Int)
        /// ARP, LLDP, an unknown link type, ...
        case other
        /// The link-layer header itself is cut short.
        case truncated
    }

    /// The deepest stack of VLAN tags (802.1Q, 802.1ad, QinQ 0x9100 alike) or MPLS labels followed.
    static let maximumVLANTags = 8

    /// Locates the IP header of `frame` for `linkType`.
    static func locate(_ frame: UnsafeRawBufferPointer, linkType: LinkType) -> Network {
        switch linkType.rawValue {
        case 1:
            guard frame.has(0, 14) else { return .truncated }
            return etherType(frame, typeOffset: 12)
        case 12, 14, 101:
            guard frame.has(0, 1) else { return .truncated }
            switch frame.u8(0) >> 4 {
            case 4: return .ipv4(offset: 0)
            case 6: return .ipv6(offset: 0)
            default: return .other
            }
        case 228:
            return .ipv4(offset: 0)
        case 229:
            return .ipv6(offset: 0)
        case 113:
            guard frame.has(0, 16) else { return .truncated }
            return etherType(frame, typeOffset: 14)
        case 276:
            guard frame.has(0, 20) else { return .truncated }
            return etherType(frame, typeOffset: 0, payloadOffset: 20)
        case 0, 108:
            guard frame.has(0, 4) else { return .truncated }
            return loopbackFamily(frame.be32(0)) ?? loopbackFamily(frame.le32(0)) ?? .other
        default:
            return .other
        }
    }

    /// Follows an EtherType at `typeOffset` through any VLAN tags. The payload starts right
    /// after the type field unless `payloadOffset` says otherwise (SLL2 puts the type first).
    private static func etherType(
        _ frame: UnsafeRawBufferPointer, typeOffset: Int, payloadOffset: Int? = nil
    ) -> Network {
        var type = frame.be16(typeOffset)
        var offset = payloadOffset ?? typeOffset + 2
        var tags = 0
        while type == 0x8100 || type == 0x88a8 || type == 0x9100 {
            tags += 1
            guard tags <= maximumVLANTags else { return .other }
            guard frame.has(offset, 4) else { return .truncated }
            type = frame.be16(offset + 2)
            offset += 4
        }
        switch type {
        case 0x0800: return .ipv4(offset: offset)
        case 0x86dd: return .ipv6(offset: offset)
        case 0x8864: return pppoeSession(frame, at: offset)
        case 0x8847, 0x8848: return mpls(frame, at: offset)
        default: return .other
        }
    }

    /// A PPPoE session header (6 bytes) and the PPP protocol (0x0021 IPv4, 0x0057 IPv6).
    private static func pppoeSession(_ frame: UnsafeRawBufferPointer, at offset: Int) -> Network {
        guard frame.has(offset, 8) else { return .truncated }
        switch frame.be16(offset + 6) {
        case 0x0021: return .ipv4(offset: offset + 8)
        case 0x0057: return .ipv6(offset: offset + 8)
        default: return .other
        }
    }

    /// An MPLS label stack; after the bottom label the IP version nibble tells the family.
    private static func mpls(_ frame: UnsafeRawBufferPointer, at start: Int) -> Network {
        var offset = start
        for _ in 0..<maximumVLANTags {
            guard frame.has(offset, 4) else { return .truncated }
            let bottom = frame.u8(offset + 2) & 0x01 != 0
            offset += 4
            guard bottom else { continue }
            guard frame.has(offset, 1) else { return .truncated }
            switch frame.u8(offset) >> 4 {
            case 4: return .ipv4(offset: offset)
            case 6: return .ipv6(offset: offset)
            default: return .other
            }
        }
        return .other
    }

    /// BSD loopback address families: AF_INET 2; AF_INET6 24 (OpenBSD, NetBSD), 28 (FreeBSD,
    /// DragonFly), 30 (macOS), 10 (Linux).
    private static func loopbackFamily(_ value: UInt32) -> Network? {
        switch value {
        case 2: return .ipv4(offset: 4)
        case 24, 28, 30, 10: return .ipv6(offset: 4)
        default: return nil
        }
    }
}
