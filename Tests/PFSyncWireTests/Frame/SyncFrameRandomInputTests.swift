import PFSyncWire
import Testing

@Suite("Sync frame random input")
struct SyncFrameRandomInputTests {
    @Test("thousands of random datagrams are errors, never traps", arguments: [false, true])
    func randomBytes(withKey: Bool) throws {
        var opener = SyncFrameOpener(key: withKey ? try FrameFixtures.key() : nil)
        var random = FrameTestRandom(seed: withKey ? 11 : 12)
        var accepted = 0
        for round in 0..<5_000 {
            var datagram = random.bytes(Int.random(in: 0...160, using: &random))
            if round % 2 == 0, datagram.count >= SyncFrameLayout.overhead {
                // Give half of them a plausible prefix so the deeper checks run.
                datagram.replaceSubrange(0..<5, with: [0x50, 0x46, 0x53, 0x44, 0x01])
                let payloadLength = UInt16(datagram.count - SyncFrameLayout.overhead)
                datagram[26] = UInt8(payloadLength >> 8)
                datagram[27] = UInt8(payloadLength & 0xFF)
            }
            if (try? opener.open(datagram)) != nil { accepted += 1 }
        }
        if withKey { #expect(accepted == 0) }
    }

    @Test("mutated valid frames opened without a key reach decompression and never trap")
    func mutatedFrames() throws {
        var sealer = SyncFrameSealer(key: try FrameFixtures.key(), senderID: 1, epoch: 1)
        var opener = SyncFrameOpener(key: nil)
        var random = FrameTestRandom(seed: 99)
        let base = Array(
            try sealer.seal(kind: .data, sequence: 1, payload: FrameFixtures.compressiblePayload(count: 3_000)))
        var decompressionErrors = 0
        for _ in 0..<5_000 {
            var datagram = base
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                // Leave the framing (magic, version, payload length) alone; hit the rest.
                let index = Int.random(in: 5..<datagram.count, using: &random)
                if index == 26 || index == 27 { continue }
                datagram[index] = UInt8.random(in: 0...255, using: &random)
            }
            do throws(SyncFrameError) {
                let opened = try opener.open(datagram)
                #expect(opened.payload.count == opened.header.rawLength)
            } catch {
                if case .decompressionFailed = error { decompressionErrors += 1 }
            }
        }
        #expect(decompressionErrors > 0)
    }
}
