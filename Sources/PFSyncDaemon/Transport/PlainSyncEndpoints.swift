import NIOCore
import PFSyncConfig

extension SyncEndpoints {
    /// pfsync's multicast group on IPv4 (`INADDR_PFSYNC_GROUP`).
    public static let plainPFSyncGroup = "224.0.0.240"

    /// The addresses of plain pfsync mode (IP protocol 240, IPv4, no ports): the unicast
    /// `sync.peer`, else the multicast `sync.group` (default 224.0.0.240) joined on
    /// `sync.interface`. Every source is accepted, as pfsync does: the sync interface
    /// (`badif`) and the TTL (`badttl`) are its only checks. Packets fill MTU - 20 bytes.
    public init(plainPFSync sync: SyncConfig) throws(SyncSetupError) {
        let target = sync.peer ?? sync.group ?? Self.plainPFSyncGroup
        do {
            destination = try SocketAddress(ipAddress: target, port: 0)
        } catch {
            throw SyncSetupError("config: sync.peer: \"\(target)\" is not an IP address")
        }
        guard destination.protocol == .inet else {
            throw SyncSetupError("config: sync.peer: \"\(target)\": plain pfsync mode runs over IPv4 only")
        }
        let listen = sync.listen ?? "0.0.0.0"
        do {
            bind = try SocketAddress(ipAddress: listen, port: 0)
        } catch {
            throw SyncSetupError("config: sync.listen: \"\(listen)\" is not an IP address")
        }
        guard bind.protocol == .inet else {
            throw SyncSetupError("config: sync.listen: \"\(listen)\": plain pfsync mode runs over IPv4 only")
        }
        group = sync.peer == nil ? destination : nil
        acceptedSource = nil
        isIPv6 = false
        maxDatagramSize = sync.mtu - 20
    }
}
