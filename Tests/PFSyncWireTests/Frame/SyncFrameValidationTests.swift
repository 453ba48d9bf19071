import PFSyncWire
import Testing

@Suite("Sync frame validation")
struct SyncFrameValidationTests {
    @Test("every prefix of a valid frame is an error, never a trap", arguments: [false, true])
    func everyPrefix(withKey: Bool) throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 5, epoch: 5)
        var opener = SyncFrameOpener(key: withKey ? key : nil)
        for payload in [FrameFixtures.compressiblePayload(count: 700), [9, 8, 7]] {
            let datagram = Array(try sealer.seal(kind: .data, sequence: 1, payload: payload))
            for length in 0..<datagram.count {
                let error = frameError { _ = try opener.open(datagram[..<length]) }
                if length < SyncFrameLayout.overhead {
                    #expect(error == .truncated(length: length))
                    #expect(error?.counter == .hdrops)
                } else {
                    #expect(error == .lengthMismatch(datagram: length, expected: datagram.count))
                    #expect(error?.counter == .badlen)
                }
            }
            // One extra byte is a length error too.
            #expect(frameError { _ = try opener.open(datagram + [0]) }?.counter == .badlen)
        }
    }

    @Test("zero padding after a frame: taken by an opener that accepts it, a length error otherwise")
    func zeroPadding() throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 5, epoch: 5)
        var strict = SyncFrameOpener(key: key)
        var padded = SyncFrameOpener(key: key, acceptsZeroPadding: true)
        let payload = FrameFixtures.compressiblePayload(count: 700)
        let datagram = Array(try sealer.seal(kind: .data, sequence: 9, payload: payload))
        for extra in [1, 17, 1_472 - datagram.count] {
            let withPadding = datagram + [UInt8](repeating: 0, count: extra)
            #expect(frameError { _ = try strict.open(withPadding) }?.counter == .badlen)
            let opened = try padded.open(withPadding)
            #expect(Array(opened.payload) == payload)
            #expect(opened.header.sequence == 9)
            // Padding that is not all zero is refused: it is not padding.
            var dirty = withPadding
            dirty[dirty.count - 1] = 1
            #expect(frameError { _ = try padded.open(dirty) } == .lengthMismatch(datagram: dirty.count, expected: datagram.count))
        }
        // The frame itself still has to be whole and authentic.
        #expect(frameError { _ = try padded.open(datagram[..<(datagram.count - 1)]) }?.counter == .badlen)
        var forged = datagram + [0, 0, 0]
        forged[SyncFrameLayout.headerSize] ^= 0xFF
        #expect(frameError { _ = try padded.open(forged) } == .badTag)
    }

    @Test("header fields are checked and charged to the right counter")
    func headerChecks() throws {
        let key = try FrameFixtures.key()
        var opener = SyncFrameOpener(key: key)
        let cases: [(FrameForge, SyncFrameError, SyncFrameCounter)] = [
            (FrameForge(magic: 0x5046_5345), .badMagic(0x5046_5345), .badver),
            (FrameForge(version: 2), .unsupportedVersion(2), .badver),
            (FrameForge(flags: 0x02), .unknownFlags(0x02), .badver),
            (FrameForge(reserved: 1), .reservedNotZero(1), .badver),
            (FrameForge(kind: 0), .unknownKind(0), .badact),
            (FrameForge(kind: 6), .unknownKind(6), .badact),
            (FrameForge(rawLength: 4, payload: [1, 2, 3]), .rawLengthMismatch(raw: 4, payload: 3), .badlen),
            (FrameForge(flags: 0x01, rawLength: 0, payload: [1]), .emptyCompressedPayload, .badlen),
            (FrameForge(flags: 0x01, rawLength: 10, payload: []), .emptyCompressedPayload, .badlen),
            (FrameForge(rawLength: 3, payloadLength: 4, payload: [1, 2, 3]), .lengthMismatch(datagram: 47, expected: 48), .badlen),
        ]
        for (forge, expected, counter) in cases {
            let error = frameError { _ = try opener.open(forge.bytes(key: key)) }
            #expect(error == expected)
            #expect(error?.counter == counter)
        }
    }

    @Test("a declared raw length above the limit is refused before decoding")
    func rawLengthBomb() throws {
        let key = try FrameFixtures.key()
        var opener = SyncFrameOpener(key: key, maxRawLength: 2_048)
        let block = lz4Block(of: [UInt8](repeating: 0, count: 65_535))
        let forged = FrameForge(flags: 0x01, rawLength: 65_535, payload: block).bytes(key: key)
        let error = frameError { _ = try opener.open(forged) }
        #expect(error == .rawLengthTooLarge(raw: 65_535, limit: 2_048))
        #expect(error?.counter == .badval)
        // The same frame with the full limit opens, and is 65535 zeros.
        var fullOpener = SyncFrameOpener(key: key)
        #expect(try fullOpener.open(forged).payload.count == 65_535)
    }

    @Test("an LZ4 block expanding past the declared raw length is an error")
    func expandingBlock() throws {
        let key = try FrameFixtures.key()
        var opener = SyncFrameOpener(key: key)
        let block = lz4Block(of: [UInt8](repeating: 0xAB, count: 60_000))
        #expect(block.count < 400)
        let forged = FrameForge(flags: 0x01, rawLength: 100, payload: block).bytes(key: key)
        let error = frameError { _ = try opener.open(forged) }
        guard case .decompressionFailed = error else {
            Issue.record("expected decompressionFailed, got \(String(describing: error))")
            return
        }
        #expect(error?.counter == .badval)
    }

    @Test("an LZ4 block shorter than the declared raw length is an error")
    func shrinkingBlock() throws {
        let key = try FrameFixtures.key()
        var opener = SyncFrameOpener(key: key)
        let block = lz4Block(of: FrameFixtures.compressiblePayload(count: 500))
        let forged = FrameForge(flags: 0x01, rawLength: 501, payload: block).bytes(key: key)
        let error = frameError { _ = try opener.open(forged) }
        guard case .decompressionFailed = error else {
            Issue.record("expected decompressionFailed, got \(String(describing: error))")
            return
        }
    }

    @Test("garbage LZ4 blocks are errors", arguments: 0..<4)
    func garbageBlocks(seed: Int) throws {
        let key = try FrameFixtures.key()
        var opener = SyncFrameOpener(key: key)
        var random = FrameTestRandom(seed: UInt64(seed) &+ 1_000)
        var failures = 0
        for _ in 0..<500 {
            let block = random.bytes(Int.random(in: 1...64, using: &random))
            let raw = UInt16.random(in: 1...4_096, using: &random)
            let forged = FrameForge(flags: 0x01, rawLength: raw, payload: block).bytes(key: key)
            if let error = frameError({ _ = try opener.open(forged) }) {
                #expect(error.counter == .badval)
                failures += 1
            }
        }
        #expect(failures > 400)
    }

    private func lz4Block(of raw: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: LZ4Block.compressBound(raw.count) ?? 0)
        let count = raw.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { LZ4Block.compress(source, into: $0) }
        }
        return Array(out[..<(count ?? 0)])
    }
}
