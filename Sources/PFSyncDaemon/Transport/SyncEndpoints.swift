import NIOCore
import PFSyncConfig

/// Why the sync link's addresses could not be set up.
public struct SyncSetupError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the one-line message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The addresses of the sync link, resolved from `[sync]`: where to bind, where to send,
/// and which source address frames must come from.
public struct SyncEndpoints: Sendable {
    /// The local address and port to bind.
    public var bind: SocketAddress
    /// Where frames go: the peer's unicast address or the multicast group.
    public var destination: SocketAddress
    /// The multicast group to join, when multicast.
    public var group: SocketAddress?
    /// The only source address accepted (unicast); nil accepts any (multicast).
    public var acceptedSource: SocketAddress?
    /// True when the link runs over IPv6.
    public var isIPv6: Bool
    /// Largest UDP payload for the MTU (MTU - 28 for IPv4, - 48 for IPv6).
    public var maxDatagramSize: Int

    /// Resolves the addresses of `sync` (plain pfsync mode: see ``init(plainPFSync:)``).
    public init(sync: SyncConfig) throws(SyncSetupError) {
        if sync.mode == .pfsync {
            self = try SyncEndpoints(plainPFSync: sync)
            return
        }
        guard let target = sync.peer ?? sync.group else {
            throw SyncSetupError("config: sync.peer: is required: the peer's address (or set sync.group)")
        }
        let peerPort = Int(sync.peerPort ?? sync.port)
        do {
            destination = try SocketAddress(ipAddress: target, port: peerPort)
        } catch {
            throw SyncSetupError("config: sync.peer: \"\(target)\" is not an IP address")
        }
        isIPv6 = destination.protocol == .inet6
        let anyAddress = isIPv6 ? "::" : "0.0.0.0"
        let listen = sync.listen ?? anyAddress
        do {
            bind = try SocketAddress(ipAddress: listen, port: Int(sync.port))
        } catch {
            throw SyncSetupError("config: sync.listen: \"\(listen)\" is not an IP address")
        }
        guard bind.protocol == destination.protocol else {
            throw SyncSetupError("config: sync.listen: \"\(listen)\" is not of the peer's address family")
        }
        if sync.group != nil {
            group = destination
            acceptedSource = nil
        } else {
            group = nil
            acceptedSource = destination
        }
        maxDatagramSize = sync.mtu - (isIPv6 ? 48 : 28)
    }

    /// "192.0.2.2:8240" or "[2001:db8::2]:8240".
    public static func text(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return address.protocol == .inet6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// True when `address` may send us frames: any address for multicast, else the peer's
    /// address (any port).
    public func accepts(_ address: SocketAddress) -> Bool {
        guard let acceptedSource else { return true }
        switch (acceptedSource, address) {
        case let (.v4(expected), .v4(actual)):
            return expected.address.sin_addr.s_addr == actual.address.sin_addr.s_addr
        case let (.v6(expected), .v6(actual)):
            return withUnsafeBytes(of: expected.address.sin6_addr) { a in
                withUnsafeBytes(of: actual.address.sin6_addr) { b in a.elementsEqual(b) }
            }
        default:
            return false
        }
    }
}
