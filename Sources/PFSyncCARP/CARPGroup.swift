/// All virtual hosts of a node with their shared demotion counter, so they fail over
/// together: raising the demotion makes every vhid less preferred at once. Received
/// packets are parsed, matched to their vhid and authenticated here; every drop is
/// counted in ``counters``. Pure logic: the I/O side feeds events and performs actions.
public struct CARPGroup: Sendable {
    /// The virtual hosts, in configuration order.
    public private(set) var hosts: [CARPVirtualHost]
    /// The counters.
    public private(set) var counters = CARPCounters()
    /// The demotion reasons and their sum.
    public private(set) var demotion = CARPDemotion()
    /// This node's address on the CARP link.
    public let localAddress: CARPIPv4Address

    /// A group of virtual hosts; `counterSeed` seeds the advertisement counters.
    public init(hosts: [CARPVirtualHostConfig], localAddress: CARPIPv4Address, counterSeed: UInt64) {
        self.localAddress = localAddress
        self.hosts = hosts.enumerated().map { index, config in
            CARPVirtualHost(config: config, localAddress: localAddress, counter: counterSeed &+ UInt64(index) << 48)
        }
    }

    /// The virtual host with `vhid`.
    public func host(vhid: UInt8) -> CARPVirtualHost? { hosts.first { $0.config.vhid == vhid } }

    /// The earliest deadline of any host.
    public var nextDeadline: UInt64? { hosts.compactMap(\.nextDeadline).min() }

    /// The node's role: master when every host is master, backup when every host is
    /// backup, init before start; "mixed" otherwise.
    public var role: String {
        let states = Set(hosts.map(\.state))
        if states.count == 1, let only = states.first { return only.rawValue }
        return states.isEmpty ? CARPState.initial.rawValue : "mixed"
    }

    /// True when any host is in split brain.
    public var splitBrain: Bool { hosts.contains { $0.splitBrain } }

    /// Starts every host (as backup).
    public mutating func start(now: UInt64) -> [CARPAction] {
        let total = demotion.total
        return collect { $0.start(now: now, demotion: total) }
    }

    /// Stops every host (a master sends a "leaving" advertisement).
    public mutating func stop(now: UInt64) -> [CARPAction] {
        collect { $0.stop(now: now) }
    }

    /// Runs the timers due at `now`.
    public mutating func timer(now: UInt64) -> [CARPAction] {
        let total = demotion.total
        return collect { $0.timer(now: now, demotion: total) }
    }

    /// Sets the demotion of `reason`; when the total changes every host reacts.
    public mutating func setDemotion(_ reason: CARPDemotion.Reason, to value: Int, now: UInt64) -> [CARPAction] {
        let before = demotion.total
        demotion[reason] = value
        let total = demotion.total
        guard total != before else { return [] }
        return collect { $0.demotionChanged(now: now, demotion: total) }
    }

    /// Counts one advertisement sent, or a send failure.
    public mutating func recordSend(succeeded: Bool) {
        if succeeded { counters.opackets &+= 1 } else { counters.oerrors &+= 1 }
    }

    /// A raw IPv4 packet from the CARP socket: parsed, matched, authenticated, then fed to
    /// its virtual host. Throws (and counts) the reason of a drop.
    public mutating func receive(ipv4 bytes: some RandomAccessCollection<UInt8>, now: UInt64) throws(CARPInputError)
        -> [CARPAction]
    {
        counters.ipackets &+= 1
        do {
            let packet = try CARPReceivedPacket.parse(ipv4: bytes)
            return try accept(packet, now: now)
        } catch {
            counters.record(error)
            throw error
        }
    }

    private mutating func accept(_ packet: CARPReceivedPacket, now: UInt64) throws(CARPInputError) -> [CARPAction] {
        let advertisement = packet.advertisement
        guard let index = hosts.firstIndex(where: { $0.config.vhid == advertisement.vhid }) else {
            throw .badVHID(advertisement.vhid)
        }
        let config = hosts[index].config
        guard config.key.verifies(
            advertisement.digest, vhid: advertisement.vhid, addresses: config.addresses, counter: advertisement.counter)
        else { throw .badAuthentication(vhid: advertisement.vhid) }
        guard packet.source != localAddress else { throw .ownAdvertisement }
        let actions = hosts[index].receive(advertisement, from: packet.source, now: now, demotion: demotion.total)
        count(actions)
        return actions
    }

    private mutating func collect(_ body: (inout CARPVirtualHost) -> [CARPAction]) -> [CARPAction] {
        var actions: [CARPAction] = []
        for index in hosts.indices { actions += body(&hosts[index]) }
        count(actions)
        return actions
    }

    private mutating func count(_ actions: [CARPAction]) {
        for action in actions {
            switch action {
            case .stateChanged(_, _, .master): counters.becameMaster &+= 1
            case .stateChanged(_, _, .backup): counters.becameBackup &+= 1
            case .splitBrain: counters.splitBrain &+= 1
            default: break
            }
        }
    }
}
