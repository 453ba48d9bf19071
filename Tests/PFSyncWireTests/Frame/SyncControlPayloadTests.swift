import PFSyncWire
import Testing

@Suite("Sync control payloads")
struct SyncControlPayloadTests {
    @Test("ACK and NACK ranges round-trip through a sealed frame")
    func rangesRoundTrip() throws {
        let key = try FrameFixtures.key()
        var sealer = SyncFrameSealer(key: key, senderID: 3, epoch: 4)
        var opener = SyncFrameOpener(key: key)
        let ranges: [ClosedRange<UInt64>] = [1...1, 5...9, 11...UInt64.max]
        var payload: [UInt8] = []
        #expect(SyncSequenceRanges.encode(ranges, into: &payload))
        #expect(payload.count == SyncSequenceRanges.payloadLength(count: 3))
        for kind in [SyncFrameKind.ack, .nack] {
            let opened = try opener.open(try sealer.seal(kind: kind, sequence: 12, payload: payload))
            var decoded: [ClosedRange<UInt64>] = []
            let delay = try opened.payload.withUnsafeBytes { bytes in
                try SyncSequenceRanges.decode(bytes, kind: kind, into: &decoded)
            }
            #expect(delay == 0)
            #expect(decoded == ranges)
        }
    }

    @Test("An ACK carries its delay (saturating at 65,535 us); a NACK with a delay is refused")
    func ackDelay() throws {
        var payload: [UInt8] = []
        #expect(SyncSequenceRanges.encode([4...9], delayMicroseconds: 1_234, into: &payload))
        #expect(Array(payload[2..<4]) == [0x04, 0xD2])
        var ranges: [ClosedRange<UInt64>] = []
        let delay = try payload.withUnsafeBytes { bytes in
            try SyncSequenceRanges.decode(bytes, kind: .ack, into: &ranges)
        }
        #expect(delay == 1_234 && ranges == [4...9])
        #expect(
            frameError { _ = try payload.withUnsafeBytes { b in try SyncSequenceRanges.decode(b, kind: .nack, into: &ranges) } }
                == .controlPayloadInvalid(kind: .nack))
        #expect(SyncSequenceRanges.encode([1...1], delayMicroseconds: 10_000_000, into: &payload))
        #expect(try payload.withUnsafeBytes { b in try SyncSequenceRanges.decode(b, kind: .ack, into: &ranges) } == 65_535)
        #expect(SyncSequenceRanges.encode([1...1], into: &payload))
        #expect(try payload.withUnsafeBytes { b in try SyncSequenceRanges.decode(b, kind: .ack, into: &ranges) } == 0)
    }

    @Test("bad range lists are refused on both sides")
    func badRanges() throws {
        var payload: [UInt8] = [0xFF]
        #expect(!SyncSequenceRanges.encode([], into: &payload))
        #expect(payload.isEmpty)
        #expect(!SyncSequenceRanges.encode([1...5, 5...6], into: &payload))
        #expect(!SyncSequenceRanges.encode([7...9, 1...2], into: &payload))

        func decodeError(_ bytes: [UInt8]) -> SyncFrameError? {
            var ranges: [ClosedRange<UInt64>] = []
            return frameError {
                _ = try bytes.withUnsafeBytes { raw in
                    try SyncSequenceRanges.decode(raw, kind: .nack, into: &ranges)
                }
            }
        }
        let range = { (first: UInt64, last: UInt64) -> [UInt8] in
            withUnsafeBytes(of: first.bigEndian, Array.init) + withUnsafeBytes(of: last.bigEndian, Array.init)
        }
        #expect(decodeError([0, 1]) == .controlPayloadLength(kind: .nack, length: 2))
        #expect(decodeError([0, 0, 0, 0]) == .controlPayloadInvalid(kind: .nack))
        #expect(decodeError([0, 2, 0, 0] + range(1, 2)) == .controlPayloadLength(kind: .nack, length: 20))
        #expect(decodeError([0, 1, 0, 1] + range(1, 2)) == .controlPayloadInvalid(kind: .nack))
        #expect(decodeError([0, 1, 0, 0] + range(3, 2)) == .controlPayloadInvalid(kind: .nack))
        #expect(decodeError([0, 2, 0, 0] + range(1, 4) + range(4, 6)) == .controlPayloadInvalid(kind: .nack))
        #expect(decodeError([0, 2, 0, 0] + range(1, 4) + range(5, 6)) == nil)
        #expect(SyncSequenceRanges.maxCount(payloadLimit: 1_472 - SyncFrameLayout.overhead) == 89)
    }

    @Test("keepalive and hello round-trip and reject bad values")
    func keepaliveAndHello() throws {
        var payload: [UInt8] = []
        SyncKeepalive(intervalMilliseconds: 250).encode(into: &payload)
        #expect(payload == [0, 0, 0, 250])
        let keepalive = try payload.withUnsafeBytes { b in try SyncKeepalive(decoding: b) }
        #expect(keepalive.intervalMilliseconds == 250)
        #expect(frameError { _ = try [UInt8]([0, 0, 0, 0]).withUnsafeBytes { b in try SyncKeepalive(decoding: b) } }
            == .controlPayloadInvalid(kind: .keepalive))
        #expect(frameError { _ = try [UInt8]([0, 0, 1]).withUnsafeBytes { b in try SyncKeepalive(decoding: b) } }
            == .controlPayloadLength(kind: .keepalive, length: 3))

        let hello = SyncHello(
            options: [.reply, .bulkRequest], maxDatagramSize: 1_452, keepaliveMilliseconds: 1_000)
        hello.encode(into: &payload)
        #expect(payload == [0x03, 5, 0x05, 0xAC, 0, 0, 0x03, 0xE8, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(try payload.withUnsafeBytes { b in try SyncHello(decoding: b) } == hello)
        // The receive window; a 12-byte HELLO (no window) and later fields after the 16th byte.
        var windowed = hello
        windowed.receiveWindowFrames = 1_585
        var windowedPayload: [UInt8] = []
        windowed.encode(into: &windowedPayload)
        #expect(windowedPayload.suffix(4) == [0, 0, 0x06, 0x31])
        #expect(try windowedPayload.withUnsafeBytes { b in try SyncHello(decoding: b) } == windowed)
        #expect(try Array(windowedPayload.prefix(12)).withUnsafeBytes { b in try SyncHello(decoding: b) } == hello)
        #expect(try (windowedPayload + [9, 9]).withUnsafeBytes { b in try SyncHello(decoding: b) } == windowed)
        for length in [13, 15] {
            #expect(frameError { _ = try Array(windowedPayload.prefix(length)).withUnsafeBytes { b in try SyncHello(decoding: b) } }
                == .controlPayloadLength(kind: .hello, length: length))
        }

        var badOptions = payload
        badOptions[0] = 0x04
        #expect(frameError { _ = try badOptions.withUnsafeBytes { b in try SyncHello(decoding: b) } }
            == .controlPayloadInvalid(kind: .hello))
        var tinyDatagram = payload
        tinyDatagram[2] = 0
        tinyDatagram[3] = 10
        #expect(frameError { _ = try tinyDatagram.withUnsafeBytes { b in try SyncHello(decoding: b) } }
            == .controlPayloadInvalid(kind: .hello))
        #expect(frameError { _ = try payload.prefix(11).withUnsafeBytes { b in try SyncHello(decoding: b) } }
            == .controlPayloadLength(kind: .hello, length: 11))
    }
}
