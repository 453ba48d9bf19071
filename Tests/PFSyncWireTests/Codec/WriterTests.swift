import PFSyncCore
import Testing
@testable import PFSyncWire

@Suite("pfsync packet writer")
struct WriterTests {
    static let deleteMessage = PFSyncMessage.compressedDelete(StateID(id: 1, creatorID: 2))

    @Test("consecutive messages of one action share a sub-header")
    func grouping() throws {
        var writer = PFSyncPacketWriter(version: .freeBSD)
        #expect(writer.isEmpty)
        #expect(writer.length == 24)
        #expect((writer.append(Self.deleteMessage) as Bool))
        #expect((writer.append(Self.deleteMessage) as Bool))
        #expect((writer.append(.insertAck(StateID(id: 3, creatorID: 4))) as Bool))
        #expect((writer.append(Self.deleteMessage) as Bool))
        #expect(writer.messageCount == 4)
        #expect(writer.length == 20 + 4 + 24 + 4 + 12 + 4 + 12 + 4)
        let bytes = writer.finish()
        #expect(bytes.count == 84)
        #expect(Array(bytes[20..<24]) == [7, 0, 0, 2])
        #expect(Array(bytes[48..<52]) == [2, 0, 0, 1])
        #expect(Array(bytes[64..<68]) == [7, 0, 0, 1])
        #expect(Array(bytes[80..<84]) == [12, 0, 0, 1])
        #expect(writer.isEmpty)
        #expect(writer.length == 24)
    }

    @Test("the MTU bound counts the v5 EOF; nothing is written when a message does not fit")
    func mtu() throws {
        // 20 header + 4 sub-header + 7 x 12 + 4 EOF = 112.
        var writer = PFSyncPacketWriter(version: .freeBSD, maxLength: 112)
        for _ in 0..<7 { #expect((writer.append(Self.deleteMessage) as Bool)) }
        #expect(!(writer.append(Self.deleteMessage) as Bool))
        #expect(!(writer.append(.clear(ifname: .empty, creatorID: 1)) as Bool))
        #expect(writer.length == 112)
        let bytes = writer.finish()
        #expect(bytes.count == 112)
        #expect(try PFSyncPacket.decode(bytes).messages.count == 8)

        // Version 6 has no EOF: 20 + 4 + 7 x 12 = 108, an eighth needs 120.
        var openBSD = PFSyncPacketWriter(version: .openBSD, maxLength: 119)
        for _ in 0..<7 { #expect((openBSD.append(Self.deleteMessage) as Bool)) }
        #expect(!(openBSD.append(Self.deleteMessage) as Bool))
        #expect(openBSD.finish().count == 108)
    }

    @Test("full packets of states stay under the default 1480 bytes")
    func fullStatesPerPacket() throws {
        var random = RandomValues(seed: 5)
        for (version, encoding) in allFormats {
            var writer = PFSyncPacketWriter(version: version, encoding: encoding)
            var appended = 0
            while writer.append(.update(random.state(encoding), encoding)) { appended += 1 }
            let expected = (1480 - 24 - (version == .freeBSD ? 4 : 0)) / encoding.stateSize
            #expect(appended == expected)
            let bytes = writer.finish()
            #expect(bytes.count <= 1480)
            #expect(try PFSyncPacket.decode(bytes).messages.filter { $0 != .eof }.count == expected)
        }
    }

    @Test("messages a version cannot carry are refused")
    func unsupported() {
        var random = RandomValues(seed: 6)
        var freeBSD = PFSyncPacketWriter(version: .freeBSD)
        let delete = PFSyncMessage.delete(random.state(.openBSD))
        #expect(!freeBSD.canCarry(delete))
        #expect(!(freeBSD.append(delete) as Bool))
        #expect(freeBSD.canCarry(.eof))
        #expect((freeBSD.append(.eof) as Bool))
        #expect(freeBSD.isEmpty, "EOF is written by finish, not appended")

        var openBSD = PFSyncPacketWriter(version: .openBSD)
        #expect(openBSD.canCarry(delete))
        #expect(!openBSD.canCarry(.eof))
        #expect(!(openBSD.append(.eof) as Bool))
        #expect(openBSD.isEmpty)
    }

    @Test("the non-allocating finish hands out the same bytes and resets")
    func finishWithBody() {
        var writer = PFSyncPacketWriter(version: .freeBSD, checksum: Array(0..<16))
        _ = writer.append(Self.deleteMessage)
        var copy = writer
        let viaArray = copy.finish()
        let viaBody = writer.finish { Array($0) }
        #expect(viaArray == viaBody)
        #expect(Array(viaBody[4..<20]) == Array(0..<16))
        // After reset the buffer is clean: a smaller packet carries no stale bytes.
        _ = writer.append(.updateRequest(.bulkRequest))
        #expect(writer.finish() == [5, 0, 0, 40] + Array(0..<16) + [5, 0, 0, 1] + [UInt8](repeating: 0, count: 12) + [12, 0, 0, 1])
    }

    @Test("version 6 writers always use the OpenBSD state; v5 refuses .openBSD for 1400")
    func encodingNormalisation() {
        #expect(PFSyncPacketWriter(version: .openBSD, encoding: .freeBSD1500).encoding == .openBSD)
        #expect(PFSyncPacketWriter(version: .freeBSD, encoding: .openBSD).encoding == .freeBSD1400)
        #expect(PFSyncPacketWriter(version: .freeBSD, encoding: .freeBSD1301).encoding == .freeBSD1301)
    }
}
