import Testing
@testable import PFSyncCARP

/// The codec against a real UCarp advertisement (Tests/Fixtures/carp/ucarp-vhid7.pcap,
/// first packet; made by make-ucarp-capture.sh: vhid 7, advskew 20, advbase 1,
/// password "pfsyncd-carp", VIP 10.77.0.100).
@Suite struct CARPAdvertisementTests {
    static let ucarpHeader = CARPTestSupport.hex(
        "21"  // version 2, type 1
            + "07"  // vhid 7
            + "14"  // advskew 20
            + "07"  // authlen 7
            + "00"  // demote (UCarp: reserved, 0)
            + "01"  // advbase 1
            + "4c76"  // checksum
            + "71aa9e5d53107a1f"  // counter
            + "7f040dc47de2b671d05034a3f2adb7633b1ef601"  // HMAC-SHA1
    )
    static let vip = CARPIPv4Address("10.77.0.100")!

    @Test func decodesEveryFieldOfUCarpsAdvertisement() throws {
        let ad = try CARPAdvertisement.decode(payload: Self.ucarpHeader)
        #expect(ad.vhid == 7)
        #expect(ad.advskew == 20)
        #expect(ad.demote == 0)
        #expect(ad.advbase == 1)
        #expect(ad.counter == 0x71AA_9E5D_5310_7A1F)
        #expect(ad.digest == Array(Self.ucarpHeader[16...]))
        #expect(ad.interval == CARPInterval(advbase: 1, advskew: 20))
    }

    @Test func verifiesUCarpsHMACWithThePasswordOnly() throws {
        let ad = try CARPAdvertisement.decode(payload: Self.ucarpHeader)
        let key = try CARPKey(password: "pfsyncd-carp")
        #expect(key.verifies(ad.digest, vhid: 7, addresses: [Self.vip], counter: ad.counter))
        #expect(!key.verifies(ad.digest, vhid: 8, addresses: [Self.vip], counter: ad.counter))
        #expect(!key.verifies(ad.digest, vhid: 7, addresses: [CARPIPv4Address("10.77.0.101")!], counter: ad.counter))
        #expect(!key.verifies(ad.digest, vhid: 7, addresses: [Self.vip], counter: ad.counter &+ 1))
        let wrong = try CARPKey(password: "pfsyncd-carq")
        #expect(!wrong.verifies(ad.digest, vhid: 7, addresses: [Self.vip], counter: ad.counter))
    }

    @Test func encodingReproducesUCarpsBytes() throws {
        let key = try CARPKey(password: "pfsyncd-carp")
        let ad = CARPAdvertisement(
            vhid: 7, advskew: 20, demote: 0, advbase: 1, counter: 0x71AA_9E5D_5310_7A1F, addresses: [Self.vip], key: key)
        #expect(ad.encoded == Self.ucarpHeader)
        #expect(CARPChecksum.compute(ad.encoded) == 0)
    }

    @Test func hashedMessageSortsAddressesAndEndsWithTheCounter() {
        let message = CARPKey.hashedMessage(
            vhid: 3, addresses: [CARPIPv4Address("10.0.0.9")!, CARPIPv4Address("10.0.0.2")!], counter: 0x0102_0304_0506_0708)
        #expect(message == [2, 1, 3, 10, 0, 0, 2, 10, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func passwordsOfTwentyBytesAreRefused() {
        #expect(throws: CARPKey.TooLong.self) { try CARPKey(password: String(repeating: "x", count: 20)) }
        #expect((try? CARPKey(password: String(repeating: "x", count: 19))) != nil)
    }

    @Test func everyTruncationIsBadLength() {
        for length in 0..<CARPProtocol.headerSize {
            #expect(throws: CARPInputError.badLength(length)) {
                try CARPAdvertisement.decode(payload: Self.ucarpHeader[0..<length])
            }
        }
    }

    @Test func badVersionTypeAndChecksumAreTyped() {
        var header = Self.ucarpHeader
        header[0] = 0x31
        #expect(throws: CARPInputError.badVersion(3)) { try CARPAdvertisement.decode(payload: header) }
        header = Self.ucarpHeader
        header[0] = 0x22
        #expect(throws: CARPInputError.badType(2)) { try CARPAdvertisement.decode(payload: header) }
        header = Self.ucarpHeader
        header[20] ^= 0x01
        #expect(throws: CARPInputError.badChecksum) { try CARPAdvertisement.decode(payload: header) }
    }

    @Test func ipLayerChecksTTLProtocolAndLengths() throws {
        let good = CARPTestSupport.ipv4(source: "10.77.0.1", payload: Self.ucarpHeader)
        let parsed = try CARPReceivedPacket.parse(ipv4: good)
        #expect(parsed.source == CARPIPv4Address("10.77.0.1"))
        #expect(parsed.destination == CARPIPv4Address("224.0.0.18"))
        let routed = CARPTestSupport.ipv4(source: "10.77.0.1", ttl: 254, payload: Self.ucarpHeader)
        #expect(throws: CARPInputError.badTTL(254)) { try CARPReceivedPacket.parse(ipv4: routed) }
        let vrrp = CARPTestSupport.ipv4(source: "10.77.0.1", proto: 113, payload: Self.ucarpHeader)
        #expect(throws: CARPInputError.notCARP(113)) { try CARPReceivedPacket.parse(ipv4: vrrp) }
        for length in 0..<good.count {
            #expect(throws: CARPInputError.self) { try CARPReceivedPacket.parse(ipv4: good[0..<length]) }
        }
    }

    @Test func intervalsCountIn256thsOfASecond() {
        #expect(CARPInterval(advbase: 1, advskew: 0) < CARPInterval(advbase: 1, advskew: 1))
        #expect(CARPInterval(advbase: 1, advskew: 255) < CARPInterval(advbase: 2, advskew: 0))
        #expect(CARPInterval(advbase: 1, advskew: 128).nanoseconds == 1_500_000_000)
        #expect(CARPInterval.masterDown(advbase: 2, advskew: 64).nanoseconds == 6_250_000_000)
    }
}
