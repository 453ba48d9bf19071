import Testing
@testable import PFSyncCore

@Suite struct ModelTests {
    @Test func ipv6FormattingCompressesLongestZeroRun() {
        let address = IPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(address.formatted(.inet6) == "2001:db8::1")
        #expect(IPAddress.zero.formatted(.inet6) == "::")
        #expect(IPAddress(ipv4: 0x0A00_0001).formatted(.inet) == "10.0.0.1")
    }

    @Test func interfaceNameRoundTrips() {
        let name = InterfaceName("vtnet1")
        #expect(name.description == "vtnet1")
        #expect(InterfaceName(bytes: name.bytes) == name)
        #expect(InterfaceName("a-very-long-interface-name").description.utf8.count == 15)
    }

    @Test func wireFamilyNumbering() {
        #expect(AddressFamily.inet6.wireValue(for: .freeBSD) == 28)
        #expect(AddressFamily.inet6.wireValue(for: .openBSD) == 24)
        #expect(AddressFamily(wireValue: 28) == .inet6)
        #expect(AddressFamily(wireValue: 24) == .inet6)
        #expect(AddressFamily(wireValue: 2) == .inet)
        #expect(AddressFamily(wireValue: 99) == nil)
    }

    @Test func hexIsFixedWidth() {
        #expect(Hex.u64(0xab) == "0x00000000000000ab")
        #expect(Hex.u32(0xdeadbeef) == "0xdeadbeef")
    }

    @Test func wireTimesConvertBothWays() {
        var state = PFState(identity: StateID(id: 1, creatorID: 2))
        state.creation = 1000
        state.expire = 1090
        let wire = state.wireTimes(now: 1030)
        #expect(wire.creation == 30 && wire.expire == 60)
        let local = wire.withLocalTimes(now: 1030)
        #expect(local.creation == 1000 && local.expire == 1090)
    }
}
