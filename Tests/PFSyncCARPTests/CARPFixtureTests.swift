import Testing
@testable import PFSyncCARP

/// Every advertisement UCarp sent in the fixture capture goes through the receive path.
@Suite struct CARPFixtureTests {
    static func group(password: String) throws -> CARPGroup {
        let config = CARPVirtualHostConfig(
            vhid: 7, advbase: 1, advskew: 100, addresses: [CARPIPv4Address("10.77.0.100")!],
            key: try CARPKey(password: password))
        return CARPGroup(hosts: [config], localAddress: CARPIPv4Address("10.77.0.2")!, counterSeed: 1)
    }

    @Test func ucarpAdvertisementsAreAuthenticatedAndMakeUsBackup() throws {
        let packets = try CARPTestSupport.ipv4Packets(pcap: CARPTestSupport.fixtureDirectory.appendingPathComponent("ucarp-vhid7.pcap"))
        #expect(packets.count == 2)
        var group = try Self.group(password: "pfsyncd-carp")
        _ = group.start(now: 0)
        for (index, packet) in packets.enumerated() {
            _ = try group.receive(ipv4: packet, now: UInt64(index) * 1_000_000_000)
        }
        #expect(group.counters.ipackets == 2)
        #expect(group.counters.badauth == 0)
        #expect(group.host(vhid: 7)?.state == .backup)
        #expect(group.host(vhid: 7)?.master == CARPIPv4Address("10.77.0.1"))
    }

    @Test func aWrongPasswordIsDroppedAndCounted() throws {
        let packets = try CARPTestSupport.ipv4Packets(pcap: CARPTestSupport.fixtureDirectory.appendingPathComponent("ucarp-vhid7.pcap"))
        var group = try Self.group(password: "not-the-password")
        _ = group.start(now: 0)
        for packet in packets {
            #expect(throws: CARPInputError.badAuthentication(vhid: 7)) { _ = try group.receive(ipv4: packet, now: 1) }
        }
        #expect(group.counters.badauth == UInt64(packets.count))
        #expect(group.host(vhid: 7)?.master == nil)
    }
}
