import PFSyncWire
import Testing

@Suite("Sync frame round trips")
struct SyncFrameRoundTripTests {
    @Test("every kind round-trips, compressed and not", arguments: SyncFrameKind.allCases)
    func everyKind(kind: SyncFrameKind) throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 0xDEAD_BEEF, epoch: 7)
        var opener = SyncFrameOpener(key: key)
        let payloads: [(bytes: [UInt8], compressed: Bool)] = [
            (FrameFixtures.compressiblePayload(count: 1_200), true),
            (FrameFixtures.incompressiblePayload(count: 300), false),
            ([], false),
            ([0x42], false),
        ]
        for (index, entry) in payloads.enumerated() {
            let sequence = UInt64(index) &+ 0xFFFF_FFFF_0000
            let datagram = Array(try sealer.seal(kind: kind, sequence: sequence, payload: entry.bytes))
            #expect(datagram.count <= sealer.maxDatagramSize)
            let opened = try opener.open(datagram)
            #expect(opened.header.kind == kind)
            #expect(opened.header.senderID == 0xDEAD_BEEF)
            #expect(opened.header.epoch == 7)
            #expect(opened.header.sequence == sequence)
            #expect(opened.header.flags.contains(.compressed) == entry.compressed)
            #expect(opened.header.rawLength == entry.bytes.count)
            #expect(opened.header.frameLength == datagram.count)
            #expect(opened.authentication == .verified)
            #expect(Array(opened.payload) == entry.bytes)
            if entry.compressed {
                #expect(opened.header.payloadLength < entry.bytes.count)
            }
        }
    }

    @Test("compression off sends the payload as is")
    func compressionOff() throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 1, epoch: 1, compression: .never)
        var opener = SyncFrameOpener(key: key)
        let payload = FrameFixtures.compressiblePayload(count: 1_000)
        let datagram = try sealer.seal(kind: .data, sequence: 1, payload: payload)
        #expect(datagram.count == payload.count + SyncFrameLayout.overhead)
        let opened = try opener.open(datagram)
        #expect(!opened.header.flags.contains(.compressed))
        #expect(Array(opened.payload) == payload)
    }

    @Test("a keyless opener reads authentic frames and says it skipped the check")
    func keylessOpener() throws {
        var sealer = SyncFrameSealer(key: try FrameFixtures.key(), senderID: 9, epoch: 3)
        var opener = SyncFrameOpener(key: nil)
        let payload = FrameFixtures.compressiblePayload(count: 900)
        let opened = try opener.open(try sealer.seal(kind: .data, sequence: 5, payload: payload))
        #expect(opened.authentication == .skipped)
        #expect(Array(opened.payload) == payload)
    }

    @Test(
        "a compressible payload larger than the datagram limit still fits when compressed, at LZ4's default and a higher acceleration",
        arguments: [Int32(1), 4])
    func compressedBeyondLimit(acceleration: Int32) throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 1, epoch: 1, maxDatagramSize: 1_472)
        var opener = SyncFrameOpener(key: key)
        let payload = FrameFixtures.compressiblePayload(count: 8_000)
        let datagram = try payload.withUnsafeBytes {
            try sealer.seal(kind: .data, sequence: 1, payload: $0, acceleration: acceleration)
        }
        #expect(datagram.count <= 1_472)
        let opened = try opener.open(datagram)
        #expect(opened.header.flags.contains(.compressed))
        #expect(Array(opened.payload) == payload)
    }

    @Test("payloads that do not fit are refused, not truncated")
    func sealerLimits() throws {
        var sealer = SyncFrameSealer(key: try FrameFixtures.key(), senderID: 1, epoch: 1)
        let room = sealer.maxUncompressedPayload
        #expect(room == 1_472 - SyncFrameLayout.overhead)
        #expect(try sealer.seal(kind: .data, sequence: 1, payload: FrameFixtures.incompressiblePayload(count: room)).count == 1_472)
        #expect(frameError { _ = try sealer.seal(kind: .data, sequence: 2, payload: FrameFixtures.incompressiblePayload(count: room + 1)) }
            == .frameTooLarge(length: 1_473, limit: 1_472))
        #expect(frameError { _ = try sealer.seal(kind: .data, sequence: 3, payload: [UInt8](repeating: 0, count: 65_536)) }
            == .payloadTooLarge(length: 65_536))
        #expect(SyncFrameError.frameTooLarge(length: 1, limit: 1).counter == .oerrors)
    }

    @Test("a slice kept across seals keeps its own bytes")
    func sliceSurvivesNextSeal() throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 1, epoch: 1)
        var opener = SyncFrameOpener(key: key)
        let first = try sealer.seal(kind: .data, sequence: 1, payload: [1, 2, 3])
        let second = try sealer.seal(kind: .data, sequence: 2, payload: [4, 5, 6, 7])
        #expect(Array(try opener.open(first).payload) == [1, 2, 3])
        #expect(Array(try opener.open(second).payload) == [4, 5, 6, 7])
    }

    @Test("the datagram limit is clamped to the sane range")
    func clamping() throws {
        let key = try FrameFixtures.key()
        #expect(SyncFrameSealer(key: key, senderID: 0, epoch: 0, maxDatagramSize: 10).maxDatagramSize == 64)
        #expect(SyncFrameSealer(key: key, senderID: 0, epoch: 0, maxDatagramSize: 1 << 20).maxDatagramSize == 65_507)
        #expect(SyncFrameOpener(key: nil, maxRawLength: 1 << 20).maxRawLength == 65_535)
    }
}
