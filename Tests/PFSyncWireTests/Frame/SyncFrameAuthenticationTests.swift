import PFSyncWire
import Testing

@Suite("Sync frame authentication")
struct SyncFrameAuthenticationTests {
    /// Header fields checked before the tag: flipping them gives their own error.
    private static let preTagOffsets: Set<Int> = [0, 1, 2, 3, 4, 26, 27]

    @Test("any single-bit flip anywhere is rejected", arguments: [false, true])
    func everyBitFlip(compressed: Bool) throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 0x1234, epoch: 2)
        var opener = SyncFrameOpener(key: key)
        let payload = compressed
            ? FrameFixtures.compressiblePayload(count: 400)
            : FrameFixtures.incompressiblePayload(count: 60)
        let datagram = Array(try sealer.seal(kind: .data, sequence: 77, payload: payload))
        #expect((try? opener.open(datagram)) != nil)

        for byteIndex in datagram.indices {
            for bit in 0..<8 {
                var tampered = datagram
                tampered[byteIndex] ^= UInt8(1 << bit)
                let error = frameError { _ = try opener.open(tampered) }
                #expect(error != nil, "flip of byte \(byteIndex) bit \(bit) was accepted")
                if !Self.preTagOffsets.contains(byteIndex) {
                    #expect(error == .badTag, "byte \(byteIndex) bit \(bit): \(String(describing: error))")
                }
            }
        }
    }

    @Test("a frame sealed with another key fails with badauth")
    func wrongKey() throws {
        var sealer = SyncFrameSealer(key: try FrameFixtures.otherKey(), senderID: 1, epoch: 1)
        var opener = SyncFrameOpener(key: try FrameFixtures.key())
        for kind in SyncFrameKind.allCases {
            let datagram = try sealer.seal(kind: kind, sequence: 1, payload: [1, 2, 3, 4])
            let error = frameError { _ = try opener.open(datagram) }
            #expect(error == .badTag)
            #expect(error?.counter == .badauth)
        }
    }

    @Test("a zeroed tag fails")
    func zeroTag() throws {
        var opener = SyncFrameOpener(key: try FrameFixtures.key())
        let forged = FrameForge(rawLength: 3, payload: [1, 2, 3]).bytes(key: nil)
        #expect(frameError { _ = try opener.open(forged) } == .badTag)
    }

    @Test("nothing is decompressed before the tag verifies")
    func tagBeforeDecompression() throws {
        // A garbage LZ4 block under a wrong tag must be reported as badauth, not badval.
        var opener = SyncFrameOpener(key: try FrameFixtures.key())
        let forged = FrameForge(flags: 0x01, rawLength: 60_000, payload: [0xFF, 0xFF, 0xFF, 0xFF])
            .bytes(key: try FrameFixtures.otherKey())
        #expect(frameError { _ = try opener.open(forged) } == .badTag)
    }

    @Test("authenticator tags are 16 bytes and verify only their own message")
    func authenticatorDirect() throws {
        let authenticator = SyncFrameAuthenticator(key: try FrameFixtures.key())
        let message: [UInt8] = Array("hello".utf8)
        var tag = [UInt8](repeating: 0, count: 16)
        message.withUnsafeBytes { m in tag.withUnsafeMutableBytes { authenticator.writeTag(of: m, into: $0) } }
        #expect(tag != [UInt8](repeating: 0, count: 16))
        let good = message.withUnsafeBytes { m in tag.withUnsafeBytes { authenticator.verify(tag: $0, of: m) } }
        let other: [UInt8] = Array("hellp".utf8)
        let bad = other.withUnsafeBytes { m in tag.withUnsafeBytes { authenticator.verify(tag: $0, of: m) } }
        let short = message.withUnsafeBytes { m in tag.withUnsafeBytes { authenticator.verify(tag: UnsafeRawBufferPointer(rebasing: $0[..<15]), of: m) } }
        #expect(good)
        #expect(!bad)
        #expect(!short)
    }
}
