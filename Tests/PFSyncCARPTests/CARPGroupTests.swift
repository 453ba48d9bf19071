import Testing
@testable import PFSyncCARP

/// Several virtual hosts sharing one demotion, and the receive path's drop counters.
@Suite struct CARPGroupTests {
    static let second: UInt64 = 1_000_000_000
    static let me = CARPIPv4Address("10.0.0.2")!

    static func group(password: String = "pw") throws -> CARPGroup {
        let key = try CARPKey(password: password)
        return CARPGroup(
            hosts: [
                CARPVirtualHostConfig(vhid: 1, advskew: 0, addresses: [CARPIPv4Address("10.0.0.100")!], key: key),
                CARPVirtualHostConfig(vhid: 2, advskew: 0, addresses: [CARPIPv4Address("192.0.2.100")!], key: key),
            ],
            localAddress: me, counterSeed: 7)
    }

    /// A peer's advertisement for `vhid` of `group`, signed with `password`, as an IPv4 packet.
    static func peerPacket(
        vhid: UInt8, advskew: UInt8, password: String = "pw", source: String = "10.0.0.3", ttl: UInt8 = 255
    ) throws -> [UInt8] {
        let address = vhid == 1 ? "10.0.0.100" : "192.0.2.100"
        let ad = CARPAdvertisement(
            vhid: vhid, advskew: advskew, demote: 0, advbase: 1, counter: 99,
            addresses: [CARPIPv4Address(address)!], key: try CARPKey(password: password))
        return CARPTestSupport.ipv4(source: source, ttl: ttl, payload: ad.encoded)
    }

    static func masterGroup() throws -> CARPGroup {
        var group = try Self.group()
        _ = group.start(now: 0)
        _ = group.timer(now: 10 * second)
        return group
    }

    @Test func bothHostsStartTogetherAndBecomeMasterTogether() throws {
        var group = try Self.group()
        #expect(group.role == "init")
        _ = group.start(now: 0)
        #expect(group.role == "backup")
        let actions = group.timer(now: 10 * Self.second)
        #expect(actions.contains(.addAddresses(vhid: 1)) && actions.contains(.addAddresses(vhid: 2)))
        #expect(group.role == "master")
        #expect(group.counters.becameMaster == 2)
    }

    @Test func oneDemotionMovesEveryVirtualHost() throws {
        var group = try Self.masterGroup()
        let actions = group.setDemotion(.manual, to: 10, now: 11 * Self.second)
        let sent = actions.compactMap { action -> CARPAdvertisement? in
            if case let .send(ad) = action { return ad } else { return nil }
        }
        #expect(sent.map(\.vhid) == [1, 2])
        #expect(sent.allSatisfy { $0.demote == 10 && $0.advskew == 10 })
        // A peer at skew 5 (demote 0) now wins both.
        _ = try group.receive(ipv4: try Self.peerPacket(vhid: 1, advskew: 5), now: 12 * Self.second)
        _ = try group.receive(ipv4: try Self.peerPacket(vhid: 2, advskew: 5), now: 12 * Self.second)
        #expect(group.role == "backup")
        #expect(group.setDemotion(.manual, to: 10, now: 13 * Self.second).isEmpty)
    }

    @Test func demotionReasonsAddUpAndClamp() {
        var demotion = CARPDemotion()
        demotion[.manual] = 200
        demotion[.bulk] = 240
        #expect(demotion.total == 255)
        demotion[.manual] = -5
        #expect(demotion[.manual] == 0)
        #expect(demotion.total == 240)
    }

    @Test func dropsAreCountedByReason() throws {
        var group = try Self.masterGroup()
        #expect(throws: CARPInputError.badAuthentication(vhid: 1)) {
            _ = try group.receive(ipv4: try Self.peerPacket(vhid: 1, advskew: 0, password: "wrong"), now: 11 * Self.second)
        }
        #expect(throws: CARPInputError.badTTL(64)) {
            _ = try group.receive(ipv4: try Self.peerPacket(vhid: 1, advskew: 0, ttl: 64), now: 11 * Self.second)
        }
        #expect(throws: CARPInputError.badVHID(9)) {
            _ = try group.receive(ipv4: try Self.peerPacket(vhid: 9, advskew: 0), now: 11 * Self.second)
        }
        #expect(throws: CARPInputError.ownAdvertisement) {
            _ = try group.receive(ipv4: try Self.peerPacket(vhid: 1, advskew: 0, source: "10.0.0.2"), now: 11 * Self.second)
        }
        #expect(throws: CARPInputError.badLength(3)) {
            _ = try group.receive(ipv4: CARPTestSupport.ipv4(source: "10.0.0.3", payload: [0x21, 1, 0]), now: 11 * Self.second)
        }
        let c = group.counters
        #expect(c.ipackets == 5)
        #expect(c.badauth == 1 && c.badttl == 1 && c.badvhid == 1 && c.ownLoop == 1 && c.badlen == 1)
        #expect(group.role == "master")
    }

    @Test func splitBrainIsCountedOncePerEpisode() throws {
        var group = try Self.masterGroup()
        for tick in 11...16 {
            _ = try group.receive(ipv4: try Self.peerPacket(vhid: 2, advskew: 100), now: UInt64(tick) * Self.second)
        }
        #expect(group.splitBrain)
        #expect(group.counters.splitBrain == 1)
        #expect(group.host(vhid: 1)?.splitBrain == false)
    }
}
