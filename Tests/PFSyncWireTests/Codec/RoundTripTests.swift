import PFSyncCore
import Testing
@testable import PFSyncWire

@Suite("pfsync codec round trips")
struct RoundTripTests {
    @Test("every action survives encode and decode in every format", arguments: 0..<allFormats.count)
    func everyActionEveryFormat(formatIndex: Int) throws {
        let (version, encoding) = allFormats[formatIndex]
        var random = RandomValues(seed: 0xC0DEC + UInt64(formatIndex))
        for _ in 0..<50 {
            for message in random.messages(version, encoding: encoding) {
                let bytes = try #require(encodePacket([message], version: version, encoding: encoding))
                let packet = try PFSyncPacket.decode(bytes)
                let expected = version == .freeBSD ? [message, .eof] : [message]
                #expect(packet.messages == expected, "\(message.actionName)")
                #expect(packet.error == nil)
                #expect(packet.rejected.isEmpty)
                #expect(packet.version == version)
            }
        }
    }

    @Test("mixed packets decode to the same messages and re-encode to the same bytes", arguments: 0..<allFormats.count)
    func mixedPackets(formatIndex: Int) throws {
        let (version, encoding) = allFormats[formatIndex]
        var random = RandomValues(seed: 0xFEED + UInt64(formatIndex))
        for round in 0..<40 {
            let messages = random.messageMix(version, encoding: encoding, count: 1 + round % 25)
            let checksum = (0..<16).map { _ in random.u8() }
            let bytes = try #require(encodePacket(messages, version: version, encoding: encoding, checksum: checksum))
            let packet = try PFSyncPacket.decode(bytes)
            #expect(packet.messages == (version == .freeBSD ? messages + [.eof] : messages))
            #expect(packet.checksum == checksum)
            let again = try #require(encodePacket(packet.messages, version: version, encoding: encoding, checksum: checksum))
            #expect(again == bytes)
        }
    }

    @Test("the streaming reader yields the same messages and exposes the checksum")
    func streamingReader() throws {
        var random = RandomValues(seed: 7)
        let messages = random.messageMix(.openBSD, encoding: .openBSD, count: 30)
        let checksum: [UInt8] = Array(1...16)
        let bytes = try #require(encodePacket(messages, version: .openBSD, encoding: .openBSD, checksum: checksum))
        var decoded: [PFSyncMessage] = []
        try bytes.withUnsafeBytes { raw in
            var reader = try PFSyncPacketReader(raw)
            #expect(reader.version == .openBSD)
            #expect(reader.checksum.high == 0x0102_0304_0506_0708)
            #expect(reader.checksum.low == 0x090A_0B0C_0D0E_0F10)
            while let message = try reader.next() { decoded.append(message) }
            #expect(try reader.next() == nil)
            #expect(reader.skippedMessages == 0)
        }
        #expect(decoded == messages)
    }

    @Test("a full state is written in the writer's format, whatever it was decoded from")
    func fullStateTakesWriterFormat() throws {
        var random = RandomValues(seed: 11)
        let state = random.state(.freeBSD1301)
        let bytes = try #require(encodePacket([.update(state, .freeBSD1301)], version: .freeBSD, encoding: .freeBSD1400))
        #expect(bytes.count == 20 + 4 + 277 + 4)
        #expect(bytes[20] == 14)
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.messages.first?.actionName == "UPD_1400")
        // The fields 1301 carries (state_flags is one byte there) are preserved in 1400.
        #expect(packet.messages.first == .update(state, .freeBSD1400))
    }

    @Test("action names", arguments: 0..<allFormats.count)
    func actionNames(formatIndex: Int) {
        let (version, encoding) = allFormats[formatIndex]
        var random = RandomValues(seed: 3)
        let names = random.messages(version, encoding: encoding).map(\.actionName)
        let suffix = encoding.formatSuffix.map { "_" + $0 } ?? ""
        var expected = ["CLR", "INS" + suffix, "UPD" + suffix, "INS_ACK", "UPD_C", "UPD_REQ", "DEL_C", "BUS", "TDB"]
        if version == .openBSD { expected.append("DEL") }
        #expect(names == expected)
        #expect(PFSyncMessage.eof.actionName == "EOF")
    }
}
