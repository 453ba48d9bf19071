import Testing
@testable import PFSyncCARP

/// The election state machine, driven by explicit times (nanoseconds).
@Suite struct CARPElectionTests {
    static let second: UInt64 = 1_000_000_000
    static let me = CARPIPv4Address("10.0.0.2")!
    static let peer = CARPIPv4Address("10.0.0.3")!
    static let lowerPeer = CARPIPv4Address("10.0.0.1")!

    static func host(advbase: UInt8 = 1, advskew: UInt8 = 0, preempt: Bool = false) throws -> CARPVirtualHost {
        let config = CARPVirtualHostConfig(
            vhid: 1, advbase: advbase, advskew: advskew, preempt: preempt,
            addresses: [CARPIPv4Address("10.0.0.100")!], key: try CARPKey(password: "pw"))
        return CARPVirtualHost(config: config, localAddress: me, counter: 0)
    }

    static func ad(advbase: UInt8 = 1, advskew: UInt8, demote: UInt8 = 0) -> CARPAdvertisement {
        CARPAdvertisement(vhid: 1, advskew: advskew, demote: demote, advbase: advbase, counter: 0, digest: [])
    }

    static func becomesMaster(_ actions: [CARPAction]) -> Bool {
        actions.contains(.stateChanged(vhid: 1, from: .backup, to: .master))
    }

    /// A host that is master (it heard nothing for the master-down time).
    static func master(advskew: UInt8 = 0, preempt: Bool = false) throws -> CARPVirtualHost {
        var host = try Self.host(advskew: advskew, preempt: preempt)
        _ = host.start(now: 0, demotion: 0)
        _ = host.timer(now: 10 * second, demotion: 0)
        return host
    }

    @Test func startsAsBackupAndRemovesStaleAddresses() throws {
        var host = try Self.host(advskew: 100)
        let actions = host.start(now: 0, demotion: 0)
        #expect(actions == [.removeAddresses(vhid: 1), .stateChanged(vhid: 1, from: .initial, to: .backup)])
        #expect(host.state == .backup)
        #expect(host.masterDownAt == CARPInterval.masterDown(advbase: 1, advskew: 100).nanoseconds)
    }

    @Test func silenceForTheMasterDownTimeMakesMaster() throws {
        var host = try Self.host(advskew: 100)
        _ = host.start(now: 0, demotion: 0)
        let deadline = try #require(host.masterDownAt)
        #expect(host.timer(now: deadline - 1, demotion: 0).isEmpty)
        let actions = host.timer(now: deadline, demotion: 0)
        #expect(Self.becomesMaster(actions))
        #expect(actions.contains(.addAddresses(vhid: 1)))
        #expect(actions.contains(.announce(vhid: 1)))
        guard case let .send(ad)? = actions.first else {
            Issue.record("the first action must be an advertisement")
            return
        }
        #expect(ad.advskew == 100 && ad.advbase == 1 && ad.vhid == 1)
        #expect(host.advertiseAt == deadline + CARPInterval(advbase: 1, advskew: 100).nanoseconds)
    }

    @Test func masterAdvertisesEveryInterval() throws {
        var host = try Self.master(advskew: 64)
        let due = try #require(host.advertiseAt)
        let counter = host.counter
        let actions = host.timer(now: due, demotion: 0)
        #expect(actions.count == 1)
        #expect(host.counter == counter &+ 1)
        #expect(host.advertiseAt == due + CARPInterval(advbase: 1, advskew: 64).nanoseconds)
    }

    @Test func advertisementsKeepABackupWaiting() throws {
        var host = try Self.host(advskew: 100)
        _ = host.start(now: 0, demotion: 0)
        for tick in 1...20 {
            let now = UInt64(tick) * Self.second
            #expect(host.receive(Self.ad(advskew: 0), from: Self.peer, now: now, demotion: 0).isEmpty)
            #expect(host.timer(now: now, demotion: 0).isEmpty)
        }
        #expect(host.state == .backup)
        #expect(host.master == Self.peer)
    }

    @Test func masterYieldsToAFasterPeerButNotToASlowerOne() throws {
        var host = try Self.master(advskew: 50)
        let kept = host.receive(Self.ad(advskew: 100), from: Self.peer, now: 11 * Self.second, demotion: 0)
        #expect(!kept.contains { if case .stateChanged = $0 { return true } else { return false } })
        #expect(host.state == .master)
        let actions = host.receive(Self.ad(advskew: 10), from: Self.peer, now: 12 * Self.second, demotion: 0)
        #expect(actions == [.removeAddresses(vhid: 1), .stateChanged(vhid: 1, from: .master, to: .backup)])
        #expect(host.state == .backup)
    }

    @Test func equalIntervalsGoToTheLowerAddress() throws {
        var host = try Self.master(advskew: 50)
        _ = host.receive(Self.ad(advskew: 50), from: Self.peer, now: 11 * Self.second, demotion: 0)
        #expect(host.state == .master)
        _ = host.receive(Self.ad(advskew: 50), from: Self.lowerPeer, now: 12 * Self.second, demotion: 0)
        #expect(host.state == .backup)
    }

    @Test func preemptTakesOverFromASlowerMasterOnlyWhenEnabled() throws {
        var patient = try Self.host(advskew: 0, preempt: false)
        _ = patient.start(now: 0, demotion: 0)
        #expect(patient.receive(Self.ad(advskew: 100), from: Self.peer, now: Self.second, demotion: 0).isEmpty)
        #expect(patient.state == .backup)
        var eager = try Self.host(advskew: 0, preempt: true)
        _ = eager.start(now: 0, demotion: 0)
        #expect(Self.becomesMaster(eager.receive(Self.ad(advskew: 100), from: Self.peer, now: Self.second, demotion: 0)))
    }

    @Test func demotionMakesTheMasterYieldAndIsAdvertised() throws {
        var host = try Self.master(advskew: 0)
        let actions = host.demotionChanged(now: 11 * Self.second, demotion: 32)
        guard case let .send(ad)? = actions.first else {
            Issue.record("a demotion change must be advertised at once")
            return
        }
        #expect(ad.demote == 32)
        #expect(ad.advskew == 32)
        // A UCarp peer (demote 0, slower skew 20) now wins: its demote is lower.
        _ = host.receive(Self.ad(advskew: 20), from: Self.peer, now: 12 * Self.second, demotion: 32)
        #expect(host.state == .backup)
    }

    @Test func aBackupTakesOverFromAMasterWithAHigherDemote() throws {
        var host = try Self.host(advskew: 200, preempt: false)
        _ = host.start(now: 0, demotion: 0)
        #expect(Self.becomesMaster(host.receive(Self.ad(advskew: 0, demote: 1), from: Self.peer, now: Self.second, demotion: 0)))
    }

    @Test func aLeavingMasterIsTakenOverAtOnce() throws {
        var leaving = try Self.master(advskew: 0)
        let actions = leaving.stop(now: 11 * Self.second)
        guard case let .send(goodbye)? = actions.first else {
            Issue.record("a stopping master must send a leaving advertisement")
            return
        }
        #expect(goodbye.advbase == 255 && goodbye.advskew == 255)
        #expect(actions.contains(.removeAddresses(vhid: 1)))
        #expect(leaving.state == .initial)
        var backup = try Self.host(advskew: 100)
        _ = backup.start(now: 0, demotion: 0)
        #expect(Self.becomesMaster(backup.receive(goodbye, from: Self.peer, now: Self.second, demotion: 0)))
    }

    @Test func aPeerMasterThatNeverYieldsIsSplitBrain() throws {
        var host = try Self.master(advskew: 0)
        var raised: [CARPAction] = []
        for tick in 11...14 {
            raised += host.receive(Self.ad(advskew: 100), from: Self.peer, now: UInt64(tick) * Self.second, demotion: 0)
        }
        #expect(raised.filter { if case .splitBrain = $0 { return true } else { return false } } == [.splitBrain(vhid: 1, peer: Self.peer)])
        #expect(raised.filter { $0 == .announce(vhid: 1) }.count == 4, "every claim of the peer is answered")
        #expect(host.splitBrain)
        // The peer falls silent: the next advertisement after the master-down time ends it.
        var later: [CARPAction] = []
        var now = 14 * Self.second
        while now < 30 * Self.second {
            now = try #require(host.advertiseAt)
            later += host.timer(now: now, demotion: 0)
        }
        #expect(later.contains(.splitBrainResolved(vhid: 1)))
        #expect(!host.splitBrain)
    }

    /// The peer also announced the addresses (both were master for a moment): the master
    /// that stays advertises at once, so that the peer yields now, and announces the
    /// addresses again, now and after ``CARPVirtualHost/announceRepeatNanos``.
    @Test func aMasterReclaimsTheAddressesFromALessPreferredMaster() throws {
        var host = try Self.master(advskew: 0)
        let due = try #require(host.advertiseAt)
        let heard = 10 * Self.second + Self.second / 4
        let actions = host.receive(Self.ad(advskew: 100), from: Self.peer, now: heard, demotion: 0)
        #expect(actions.count == 2)
        guard case .send(let advertisement)? = actions.first else {
            Issue.record("no advertisement first: \(actions)")
            return
        }
        #expect(advertisement.advskew == 0)
        #expect(actions.last == .announce(vhid: 1))
        #expect(host.state == .master)
        #expect(try #require(host.advertiseAt) == heard + CARPInterval(advbase: 1, advskew: 0).nanoseconds)
        #expect(try #require(host.advertiseAt) > due, "the regular advertisement restarts from the one just sent")
        let again = heard + CARPVirtualHost.announceRepeatNanos
        #expect(host.announceAgainAt == again)
        #expect(host.nextDeadline == min(again, try #require(host.advertiseAt)))
        #expect(!host.timer(now: again - 1, demotion: 0).contains(.announce(vhid: 1)))
        #expect(host.timer(now: again, demotion: 0).contains(.announce(vhid: 1)))
        #expect(host.announceAgainAt == nil, "once")
    }

    @Test func takingOverAnnouncesNowAndOnceMore() throws {
        var host = try Self.host(advskew: 0)
        _ = host.start(now: 0, demotion: 0)
        let downAt = try #require(host.masterDownAt)
        let actions = host.timer(now: downAt, demotion: 0)
        #expect(actions.filter { $0 == .announce(vhid: 1) }.count == 1)
        #expect(host.announceAgainAt == downAt + CARPVirtualHost.announceRepeatNanos)
        var repeated = 0
        var now = downAt
        while now < downAt + 10 * Self.second {
            now = try #require(host.nextDeadline)
            repeated += host.timer(now: now, demotion: 0).filter { $0 == .announce(vhid: 1) }.count
        }
        #expect(repeated == 1)
        // Yielding cancels a pending repeat.
        var yielding = try Self.host(advskew: 100)
        _ = yielding.start(now: 0, demotion: 0)
        let down = try #require(yielding.masterDownAt)
        _ = yielding.timer(now: down, demotion: 0)
        #expect(yielding.announceAgainAt != nil)
        _ = yielding.receive(Self.ad(advskew: 0), from: Self.peer, now: down + 1, demotion: 0)
        #expect(yielding.state == .backup)
        #expect(yielding.announceAgainAt == nil)
    }
}
