import PFSyncCore

/// pf's state timeouts in seconds, indexed by ``TimeoutClass`` (pf's `PFTM_*`).
///
/// The defaults are pf's (`pfctl -st`): tcp.first 120, tcp.opening 30, tcp.established 86400,
/// tcp.closing 900, tcp.finwait 45, tcp.closed 90, udp.first 60, udp.single 30,
/// udp.multiple 60, icmp.first 20, icmp.error 10, other.first 60, other.single 30,
/// other.multiple 60, frag 60, interval 10.
public struct TrackerTimeouts: Sendable, Equatable {
    /// tcp.first: after the first packet of a connection.
    public var tcpFirstPacket: UInt32 = 120
    /// tcp.opening: while either peer has not reached ESTABLISHED.
    public var tcpOpening: UInt32 = 30
    /// tcp.established: both peers ESTABLISHED.
    public var tcpEstablished: UInt32 = 86_400
    /// tcp.closing: after the first FIN.
    public var tcpClosing: UInt32 = 900
    /// tcp.finwait: both peers have sent a FIN.
    public var tcpFinWait: UInt32 = 45
    /// tcp.closed: both FINs acknowledged, or a RST seen.
    public var tcpClosed: UInt32 = 90
    /// udp.first: after the first packet.
    public var udpFirstPacket: UInt32 = 60
    /// udp.single: one peer has sent, the other has not (or only just started).
    public var udpSingle: UInt32 = 30
    /// udp.multiple: both peers have sent packets.
    public var udpMultiple: UInt32 = 60
    /// icmp.first: after the first ICMP query.
    public var icmpFirstPacket: UInt32 = 20
    /// icmp.error: after a reply (pf uses this class for every later ICMP query packet).
    public var icmpErrorReply: UInt32 = 10
    /// other.first: first packet of another protocol.
    public var otherFirstPacket: UInt32 = 60
    /// other.single: one peer only.
    public var otherSingle: UInt32 = 30
    /// other.multiple: both peers.
    public var otherMultiple: UInt32 = 60
    /// frag: fragment reassembly (kept for completeness; the tracker does not reassemble).
    public var fragment: UInt32 = 60
    /// interval: how often pf purges expired states.
    public var interval: UInt32 = 10

    /// pf's default timeouts.
    public init() {}

    /// pf's default timeouts.
    public static let pfDefaults = TrackerTimeouts()

    /// The timeout of a class in seconds (purge and unlinked are 0).
    @inlinable
    public subscript(_ timeoutClass: TimeoutClass) -> UInt32 {
        get {
            switch timeoutClass {
            case .tcpFirstPacket: return tcpFirstPacket
            case .tcpOpening: return tcpOpening
            case .tcpEstablished: return tcpEstablished
            case .tcpClosing: return tcpClosing
            case .tcpFinWait: return tcpFinWait
            case .tcpClosed: return tcpClosed
            case .udpFirstPacket: return udpFirstPacket
            case .udpSingle: return udpSingle
            case .udpMultiple: return udpMultiple
            case .icmpFirstPacket: return icmpFirstPacket
            case .icmpErrorReply: return icmpErrorReply
            case .otherFirstPacket: return otherFirstPacket
            case .otherSingle: return otherSingle
            case .otherMultiple: return otherMultiple
            case .fragment: return fragment
            case .interval: return interval
            case .purge, .unlinked: return 0
            }
        }
        set {
            switch timeoutClass {
            case .tcpFirstPacket: tcpFirstPacket = newValue
            case .tcpOpening: tcpOpening = newValue
            case .tcpEstablished: tcpEstablished = newValue
            case .tcpClosing: tcpClosing = newValue
            case .tcpFinWait: tcpFinWait = newValue
            case .tcpClosed: tcpClosed = newValue
            case .udpFirstPacket: udpFirstPacket = newValue
            case .udpSingle: udpSingle = newValue
            case .udpMultiple: udpMultiple = newValue
            case .icmpFirstPacket: icmpFirstPacket = newValue
            case .icmpErrorReply: icmpErrorReply = newValue
            case .otherFirstPacket: otherFirstPacket = newValue
            case .otherSingle: otherSingle = newValue
            case .otherMultiple: otherMultiple = newValue
            case .fragment: fragment = newValue
            case .interval: interval = newValue
            case .purge, .unlinked: break
            }
        }
    }

    /// Sets a timeout by its pfctl name ("tcp.established", "udp.first", ...).
    /// Throws ``TrackerConfigError/unknownTimeout(_:)`` for a name pf does not have.
    public mutating func set(_ pfName: String, seconds: UInt32) throws(TrackerConfigError) {
        guard let timeoutClass = TimeoutClass(pfName: pfName) else {
            throw .unknownTimeout(pfName)
        }
        self[timeoutClass] = seconds
    }
}

/// A configuration value the tracker cannot use.
public enum TrackerConfigError: Error, Equatable, Sendable {
    /// A timeout name pf does not know.
    case unknownTimeout(String)
}

extension TimeoutClass {
    /// The name pfctl uses for this class ("tcp.first", ...); purge and unlinked have none
    /// in pfctl and are named "purge" / "unlinked" here.
    public var pfName: String {
        switch self {
        case .tcpFirstPacket: return "tcp.first"
        case .tcpOpening: return "tcp.opening"
        case .tcpEstablished: return "tcp.established"
        case .tcpClosing: return "tcp.closing"
        case .tcpFinWait: return "tcp.finwait"
        case .tcpClosed: return "tcp.closed"
        case .udpFirstPacket: return "udp.first"
        case .udpSingle: return "udp.single"
        case .udpMultiple: return "udp.multiple"
        case .icmpFirstPacket: return "icmp.first"
        case .icmpErrorReply: return "icmp.error"
        case .otherFirstPacket: return "other.first"
        case .otherSingle: return "other.single"
        case .otherMultiple: return "other.multiple"
        case .fragment: return "frag"
        case .interval: return "interval"
        case .purge: return "purge"
        case .unlinked: return "unlinked"
        }
    }

    /// The class pfctl names `pfName`, or nil.
    public init?(pfName: String) {
        guard let match = TimeoutClass.allCases.first(where: { $0.pfName == pfName }) else {
            return nil
        }
        self = match
    }
}
