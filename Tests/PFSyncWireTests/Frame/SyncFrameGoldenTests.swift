import PFSyncWire
import Testing

/// Byte-exact frames. The tags were computed independently with
/// `openssl dgst -sha256 -mac HMAC -macopt key:pfsyncd-test-key-0123456789abcdef` over the
/// first 28 + payload bytes and truncated to 16 bytes.
@Suite("Sync frame golden vectors")
struct SyncFrameGoldenTests {
    static let dataFrame: [UInt8] = [
        0x50, 0x46, 0x53, 0x44,  // magic "PFSD"
        0x01,  // frame version 1
        0x01,  // kind DATA
        0x00,  // flags: not compressed
        0x00,  // reserved
        0x01, 0x02, 0x03, 0x04,  // sender id (creatorid) 0x01020304
        0x0A, 0x0B, 0x0C, 0x0D,  // epoch 0x0a0b0c0d
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,  // sequence 258
        0x00, 0x07,  // raw length 7
        0x00, 0x07,  // payload length 7
        0x70, 0x66, 0x73, 0x79, 0x6E, 0x63, 0x21,  // payload "pfsync!"
        0xA8, 0x7C, 0xC0, 0x09, 0xE4, 0x07, 0x0E, 0x6B,  // HMAC-SHA256 bytes 0-7
        0x05, 0x75, 0xFE, 0xD8, 0x2A, 0xDE, 0x64, 0xAF,  // HMAC-SHA256 bytes 8-15
    ]

    static let keepaliveFrame: [UInt8] = [
        0x50, 0x46, 0x53, 0x44,  // magic "PFSD"
        0x01,  // frame version 1
        0x04,  // kind KEEPALIVE
        0x00,  // flags
        0x00,  // reserved
        0x01, 0x02, 0x03, 0x04,  // sender id 0x01020304
        0x0A, 0x0B, 0x0C, 0x0D,  // epoch 0x0a0b0c0d
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,  // highest DATA sequence sent: 258
        0x00, 0x04,  // raw length 4
        0x00, 0x04,  // payload length 4
        0x00, 0x00, 0x03, 0xE8,  // keepalive interval 1000 ms
        0xEF, 0x44, 0x0D, 0xD9, 0x72, 0x05, 0xC3, 0x99,  // HMAC-SHA256 bytes 0-7
        0x42, 0xC4, 0x79, 0x65, 0xFB, 0xEF, 0xE3, 0x4B,  // HMAC-SHA256 bytes 8-15
    ]

    @Test("the sealer produces the golden DATA frame byte for byte")
    func sealData() throws {
        var sealer = SyncFrameSealer(
            key: try FrameFixtures.key(), senderID: 0x0102_0304, epoch: 0x0A0B_0C0D)
        let frame = try sealer.seal(kind: .data, sequence: 258, payload: Array("pfsync!".utf8))
        #expect(Array(frame) == Self.dataFrame)
    }

    @Test("the sealer produces the golden KEEPALIVE frame byte for byte")
    func sealKeepalive() throws {
        var sealer = SyncFrameSealer(
            key: try FrameFixtures.key(), senderID: 0x0102_0304, epoch: 0x0A0B_0C0D)
        var payload: [UInt8] = []
        SyncKeepalive(intervalMilliseconds: 1_000).encode(into: &payload)
        let frame = try sealer.seal(kind: .keepalive, sequence: 258, payload: payload)
        #expect(Array(frame) == Self.keepaliveFrame)
    }

    @Test("the opener reads every field of the golden frames")
    func openGolden() throws {
        var opener = SyncFrameOpener(key: try FrameFixtures.key())
        let data = try opener.open(Self.dataFrame)
        #expect(
            data.header
                == SyncFrameHeader(
                    kind: .data, flags: [], senderID: 0x0102_0304, epoch: 0x0A0B_0C0D,
                    sequence: 258, rawLength: 7, payloadLength: 7))
        #expect(Array(data.payload) == Array("pfsync!".utf8))

        let keepalive = try opener.open(Self.keepaliveFrame)
        #expect(keepalive.header.kind == .keepalive)
        let decoded = try keepalive.payload.withUnsafeBytes { bytes in
            try SyncKeepalive(decoding: bytes)
        }
        #expect(decoded.intervalMilliseconds == 1_000)
    }
}
