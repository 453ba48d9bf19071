import NIOCore
import PFSyncCARP
import PFSyncConfig

/// One virtual host with the interface it lives on and its addresses with prefix lengths.
public struct CARPHostPlan: Sendable {
    /// The election settings.
    public var config: CARPVirtualHostConfig
    /// The interface the addresses go on.
    public var interface: String
    /// The virtual addresses with their prefix lengths ("10.0.0.100/24" gives 24; default 32).
    public var prefixes: [(address: CARPIPv4Address, length: Int)]
}

/// Everything the CARP service derives from `[carp]` before it opens a socket.
///
/// Extra virtual hosts come from `carp.virtual_hosts`, one string per host of
/// space-separated `key=value` words: `vhid=2 interface=wan0 vip=192.0.2.100/24` plus
/// optional `advskew=`, `advbase=`, `password=`, `preempt=`; unset words inherit `[carp]`.
public struct CARPPlan: Sendable {
    /// The virtual hosts, `[carp]` first.
    public var hosts: [CARPHostPlan]
    /// This node's address on the first host's interface (the advertisements' source).
    public var localAddress: CARPIPv4Address
    /// The IPv4 address of every interface in use, by name (for IP_MULTICAST_IF).
    public var interfaceAddresses: [String: CARPIPv4Address]
    /// A unicast peer, or nil for multicast 224.0.0.18.
    public var peer: CARPIPv4Address?
    /// Script run with `<if> <vip>` when a host becomes master.
    public var upScript: String?
    /// Script run with `<if> <vip>` when a host leaves master.
    public var downScript: String?
    /// Demotion while the bulk update is unfinished.
    public var bulkDemotion: Int
    /// Seconds after which an unfinished bulk update no longer demotes.
    public var bulkDemotionLimitSeconds: Double

    /// Derives the plan; `devices` are the system's interfaces.
    public init(config: CARPConfig, devices: [NIONetworkDevice]) throws(CARPSetupError) {
        guard let interface = config.interface else {
            throw CARPSetupError("config: carp.interface: is required (the interface CARP advertises on)")
        }
        var primary: [String: String] = [
            "vhid": String(config.vhid), "advbase": String(config.advbase), "advskew": String(config.advskew),
            "password": config.password, "preempt": String(config.preempt), "interface": interface,
        ]
        primary["vip"] = config.virtualAddresses.joined(separator: ",")
        var specs = [primary]
        for text in config.virtualHosts {
            var words = primary
            words["vip"] = nil
            for word in text.split(separator: " ", omittingEmptySubsequences: true) {
                let parts = word.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else {
                    throw CARPSetupError("config: carp.virtual_hosts: \"\(word)\" is not key=value")
                }
                words[String(parts[0])] = String(parts[1])
            }
            specs.append(words)
        }
        var hosts: [CARPHostPlan] = []
        for words in specs { hosts.append(try Self.host(words)) }
        let vhids = hosts.map(\.config.vhid)
        guard Set(vhids).count == vhids.count else {
            throw CARPSetupError("config: carp: every virtual host needs its own vhid (got \(vhids))")
        }
        self.hosts = hosts
        let virtual = Set(hosts.flatMap { $0.prefixes.map(\.address) })
        var addresses: [String: CARPIPv4Address] = [:]
        for name in Set(hosts.map(\.interface)) {
            let found = devices.lazy.filter { $0.name == name }.compactMap { device -> CARPIPv4Address? in
                guard let ip = device.address?.ipAddress, let address = CARPIPv4Address(ip) else { return nil }
                return virtual.contains(address) ? nil : address
            }.first
            guard let found else {
                throw CARPSetupError("config: carp: interface \"\(name)\" has no IPv4 address of its own")
            }
            addresses[name] = found
        }
        interfaceAddresses = addresses
        guard let local = addresses[interface] else { throw CARPSetupError("config: carp.interface: not found") }
        localAddress = local
        if let peer = config.peer {
            guard let parsed = CARPIPv4Address(peer) else {
                throw CARPSetupError("config: carp.peer: \"\(peer)\" is not an IPv4 address")
            }
            self.peer = parsed
        }
        upScript = config.upScript
        downScript = config.downScript
        bulkDemotion = config.bulkDemotion
        bulkDemotionLimitSeconds = config.bulkDemotionLimitSeconds
    }

    private static func host(_ words: [String: String]) throws(CARPSetupError) -> CARPHostPlan {
        func number(_ key: String, _ range: ClosedRange<Int>) throws(CARPSetupError) -> Int {
            guard let text = words[key], let value = Int(text), range.contains(value) else {
                throw CARPSetupError("config: carp: \(key) must be \(range.lowerBound)-\(range.upperBound) (got \(words[key] ?? "nothing"))")
            }
            return value
        }
        let vhid = try number("vhid", 1...255)
        let advbase = try number("advbase", 1...255)
        let advskew = try number("advskew", 0...254)
        guard let interface = words["interface"], !interface.isEmpty else {
            throw CARPSetupError("config: carp: vhid \(vhid) has no interface")
        }
        var prefixes: [(address: CARPIPv4Address, length: Int)] = []
        for item in (words["vip"] ?? "").split(separator: ",") {
            let parts = item.split(separator: "/", maxSplits: 1)
            guard let address = CARPIPv4Address(String(parts[0])) else {
                throw CARPSetupError("config: carp: vhid \(vhid): \"\(item)\" is not an IPv4 address")
            }
            let length = parts.count == 2 ? Int(parts[1]) ?? -1 : 32
            guard (1...32).contains(length) else {
                throw CARPSetupError("config: carp: vhid \(vhid): bad prefix length in \"\(item)\"")
            }
            prefixes.append((address, length))
        }
        guard !prefixes.isEmpty else { throw CARPSetupError("config: carp: vhid \(vhid) has no vip") }
        let key: CARPKey
        do {
            key = try CARPKey(password: words["password"] ?? "")
        } catch {
            throw CARPSetupError("config: carp: vhid \(vhid): \(error)")
        }
        let config = CARPVirtualHostConfig(
            vhid: UInt8(vhid), advbase: UInt8(advbase), advskew: UInt8(advskew), preempt: words["preempt"] == "true",
            addresses: prefixes.map(\.address), key: key)
        return CARPHostPlan(config: config, interface: interface, prefixes: prefixes)
    }
}
