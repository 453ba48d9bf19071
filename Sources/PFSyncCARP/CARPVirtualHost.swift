/// The election of one virtual host as pure logic: events (start, a verified
/// advertisement, a timer, a demotion change) go in with the current monotonic time in
/// nanoseconds; the actions to perform come out. No I/O, no clock.
///
/// Rules (OpenBSD `carp_proto_input_c`, UCarp `packethandler`): intervals are
/// advbase + advskew/256 with the demotion added to the skew; a master yields to a faster
/// sender whose demote is not higher, to an equal one with a lower IP address (UCarp's
/// tie-break), and to any sender with a lower demote. A backup takes over when preempting
/// a slower master, when the master's demote is higher, when the master advertises slower
/// than the master-down time, or when nothing was heard for the master-down time.
public struct CARPVirtualHost: Sendable {
    /// The settings.
    public let config: CARPVirtualHostConfig
    /// This node's address on the CARP link (UCarp's tie-break compares it).
    public let localAddress: CARPIPv4Address
    /// The current state.
    public private(set) var state: CARPState = .initial
    /// The counter of the next advertisement.
    public private(set) var counter: UInt64
    /// The master as last seen (self when master).
    public private(set) var master: CARPIPv4Address?
    /// True while a peer keeps advertising as master although this node is master.
    public private(set) var splitBrain = false
    /// When the next advertisement is due (master only).
    public private(set) var advertiseAt: UInt64?
    /// When the master is declared down (backup only).
    public private(set) var masterDownAt: UInt64?
    /// When the addresses are announced once more (master only; see ``announceRepeatNanos``).
    public private(set) var announceAgainAt: UInt64?

    private var peerMasterStreak = 0
    private var lastPeerMasterAt: UInt64 = 0

    /// Peer-master advertisements in a row (while master, not yielding) that mean split brain.
    public static let splitBrainStreak = 3

    /// A master announces its addresses (gratuitous ARP) when it takes over or reclaims
    /// them, and once more this long after: Linux ignores a neighbour's new link address
    /// within its `locktime` (1 s) of the previous change, so an announcement that lands
    /// just after a peer's can be lost, and the hosts keep sending to the peer.
    public static let announceRepeatNanos: UInt64 = 2_000_000_000

    /// A virtual host in state init; `counter` seeds the advertisement counter.
    public init(config: CARPVirtualHostConfig, localAddress: CARPIPv4Address, counter: UInt64) {
        self.config = config
        self.localAddress = localAddress
        self.counter = counter
    }

    /// The earliest deadline, if any: call ``timer(now:demotion:)`` then.
    public var nextDeadline: UInt64? {
        [advertiseAt, masterDownAt, announceAgainAt].compactMap { $0 }.min()
    }

    /// The skew advertised under `demotion` (configured skew plus demotion, at most 254).
    public func effectiveSkew(demotion: UInt8) -> UInt8 {
        UInt8(min(Int(CARPProtocol.maximumSkew), Int(config.advskew) + Int(demotion)))
    }

    /// This node's interval under `demotion`.
    public func interval(demotion: UInt8) -> CARPInterval {
        CARPInterval(advbase: config.advbase, advskew: effectiveSkew(demotion: demotion))
    }

    /// The master-down time under `demotion`.
    public func masterDownInterval(demotion: UInt8) -> CARPInterval {
        .masterDown(advbase: config.advbase, advskew: effectiveSkew(demotion: demotion), multiplier: config.deadRatio)
    }

    /// Starts as backup: the addresses are removed and the master-down timer runs.
    public mutating func start(now: UInt64, demotion: UInt8) -> [CARPAction] {
        guard state == .initial else { return [] }
        var actions: [CARPAction] = [.removeAddresses(vhid: config.vhid)]
        enterBackup(now: now, demotion: demotion, actions: &actions)
        return actions
    }

    /// Stops: a master removes its addresses and sends one "leaving" advertisement
    /// (advbase 255, advskew 255) that makes any backup take over at once.
    public mutating func stop(now: UInt64) -> [CARPAction] {
        let previous = state
        guard previous != .initial else { return [] }
        var actions: [CARPAction] = []
        if previous == .master {
            actions.append(.send(makeAdvertisement(advbase: 255, advskew: 255, demote: 255)))
            actions.append(.removeAddresses(vhid: config.vhid))
        }
        state = .initial
        advertiseAt = nil
        masterDownAt = nil
        announceAgainAt = nil
        master = nil
        splitBrain = false
        actions.append(.stateChanged(vhid: config.vhid, from: previous, to: .initial))
        return actions
    }

    /// An authenticated advertisement for this vhid from `source`.
    public mutating func receive(
        _ advertisement: CARPAdvertisement, from source: CARPIPv4Address, now: UInt64, demotion: UInt8
    ) -> [CARPAction] {
        var actions: [CARPAction] = []
        let ours = interval(demotion: demotion)
        let theirs = advertisement.interval
        switch state {
        case .initial:
            break
        case .master:
            let fasterOrTied = theirs < ours || (theirs == ours && (advertisement.demote < demotion || source < localAddress))
            if (fasterOrTied && advertisement.demote <= demotion) || advertisement.demote < demotion {
                master = source
                enterBackup(now: now, demotion: demotion, actions: &actions)
                return actions
            }
            notePeerMaster(source, now: now, demotion: demotion, actions: &actions)
            // A less preferred peer claims master (both started as master, or it missed
            // our advertisements): it announced the addresses too, so hosts and switches
            // may now send to it. Advertise at once (it yields on hearing us) and announce
            // again, as keepalived does on a lower-priority advertisement.
            advertise(now: now, demotion: demotion, actions: &actions)
            announce(now: now, actions: &actions)
        case .backup:
            master = source
            if config.preempt && ours < theirs && advertisement.demote >= demotion {
                enterMaster(now: now, demotion: demotion, actions: &actions)
            } else if advertisement.demote > demotion {
                enterMaster(now: now, demotion: demotion, actions: &actions)
            } else if UInt32(config.advbase) * config.deadRatio * 256 < theirs.ticks {
                // The master advertises so slowly (e.g. a leaving master, 255/255) that it is down.
                enterMaster(now: now, demotion: demotion, actions: &actions)
            } else {
                masterDownAt = now &+ masterDownInterval(demotion: demotion).nanoseconds
            }
        }
        return actions
    }

    /// Runs the timers due at `now`: a master advertises; a backup whose master-down time
    /// passed becomes master.
    public mutating func timer(now: UInt64, demotion: UInt8) -> [CARPAction] {
        var actions: [CARPAction] = []
        switch state {
        case .initial:
            break
        case .master:
            if let again = announceAgainAt, now >= again {
                announceAgainAt = nil
                actions.append(.announce(vhid: config.vhid))
            }
            guard let due = advertiseAt, now >= due else { break }
            advertise(now: now, demotion: demotion, actions: &actions)
            if splitBrain, now &- lastPeerMasterAt > masterDownInterval(demotion: demotion).nanoseconds {
                splitBrain = false
                peerMasterStreak = 0
                actions.append(.splitBrainResolved(vhid: config.vhid))
            }
        case .backup:
            guard let due = masterDownAt, now >= due else { break }
            enterMaster(now: now, demotion: demotion, actions: &actions)
        }
        return actions
    }

    /// The demotion changed: a master advertises the new value at once; a backup restarts
    /// its master-down timer with the new skew.
    public mutating func demotionChanged(now: UInt64, demotion: UInt8) -> [CARPAction] {
        var actions: [CARPAction] = []
        switch state {
        case .initial: break
        case .master: advertise(now: now, demotion: demotion, actions: &actions)
        case .backup: masterDownAt = now &+ masterDownInterval(demotion: demotion).nanoseconds
        }
        return actions
    }

    /// An advertisement of this vhid with the next counter value, signed.
    public mutating func makeAdvertisement(advbase: UInt8, advskew: UInt8, demote: UInt8) -> CARPAdvertisement {
        counter &+= 1
        return CARPAdvertisement(
            vhid: config.vhid, advskew: advskew, demote: demote, advbase: advbase, counter: counter,
            addresses: config.addresses, key: config.key)
    }

    private mutating func advertise(now: UInt64, demotion: UInt8, actions: inout [CARPAction]) {
        let skew = effectiveSkew(demotion: demotion)
        actions.append(.send(makeAdvertisement(advbase: config.advbase, advskew: skew, demote: demotion)))
        advertiseAt = now &+ interval(demotion: demotion).nanoseconds
    }

    private mutating func enterMaster(now: UInt64, demotion: UInt8, actions: inout [CARPAction]) {
        let previous = state
        state = .master
        master = localAddress
        masterDownAt = nil
        peerMasterStreak = 0
        splitBrain = false
        advertise(now: now, demotion: demotion, actions: &actions)
        actions.append(.stateChanged(vhid: config.vhid, from: previous, to: .master))
        actions.append(.addAddresses(vhid: config.vhid))
        announce(now: now, actions: &actions)
    }

    /// Gratuitous ARP for the addresses now, and once more after ``announceRepeatNanos``.
    private mutating func announce(now: UInt64, actions: inout [CARPAction]) {
        actions.append(.announce(vhid: config.vhid))
        announceAgainAt = now &+ Self.announceRepeatNanos
    }

    private mutating func enterBackup(now: UInt64, demotion: UInt8, actions: inout [CARPAction]) {
        let previous = state
        state = .backup
        advertiseAt = nil
        announceAgainAt = nil
        masterDownAt = now &+ masterDownInterval(demotion: demotion).nanoseconds
        if splitBrain { actions.append(.splitBrainResolved(vhid: config.vhid)) }
        splitBrain = false
        peerMasterStreak = 0
        if previous == .master { actions.append(.removeAddresses(vhid: config.vhid)) }
        actions.append(.stateChanged(vhid: config.vhid, from: previous, to: .backup))
    }

    private mutating func notePeerMaster(
        _ peer: CARPIPv4Address, now: UInt64, demotion: UInt8, actions: inout [CARPAction]
    ) {
        lastPeerMasterAt = now
        peerMasterStreak += 1
        if !splitBrain && peerMasterStreak >= Self.splitBrainStreak {
            splitBrain = true
            actions.append(.splitBrain(vhid: config.vhid, peer: peer))
        }
    }
}
