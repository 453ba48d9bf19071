import PFSyncCore
import Testing
@testable import PFSyncWire

/// pfsyncd's UPD_CC extension (action 240): UPD_C followed by the counters.
@Suite struct CounterUpdateTests {
    static func update() -> CompressedUpdate {
        var update = CompressedUpdate(
            identity: StateID(id: 0x0102_0304_0506_0708, creatorID: 0xA0B0_C0D0),
            src: StatePeer(seqLo: 1000, seqHi: 2000, maxWin: 512, state: 4, wscale: 7),
            dst: StatePeer(seqLo: 3000, seqHi: 4000, maxWin: 1024, state: 4, wscale: 7),
            expire: 86_000, timeout: 2)
        update.counters = StateCounters(
            packets: CounterPair(0x1_0000_0002, 3), bytes: CounterPair(0x5_0000_0006, 0x7_0000_0008))
        return update
    }

    @Test func roundTripsWithCountersAtTheDocumentedOffsets() throws {
        var writer = PFSyncPacketWriter(version: .freeBSD)
        let appended = writer.append(.compressedUpdate(Self.update()))
        #expect(appended)
        let bytes = writer.finish()
        // header 20 + sub-header 4 + 116 + EOF sub-header 4
        #expect(bytes.count == 144)
        #expect(bytes[20] == 240)  // action UPD_CC
        #expect(Array(bytes[24 + 84..<24 + 92]) == [0, 0, 0, 1, 0, 0, 0, 2])  // packets[0] hi, lo
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.error == nil)
        #expect(packet.messages.first == .compressedUpdate(Self.update()))
        #expect(packet.messages.first?.actionName == "UPD_CC")
    }

    @Test func withoutCountersItIsPlainUPDC() throws {
        var plain = Self.update()
        plain.counters = nil
        var writer = PFSyncPacketWriter(version: .freeBSD)
        let appended = writer.append(.compressedUpdate(plain))
        #expect(appended)
        let bytes = writer.finish()
        #expect(bytes[20] == 4)
        #expect(try PFSyncPacket.decode(bytes).messages.first == .compressedUpdate(plain))
    }

    @Test func openBSDCannotCarryIt() {
        let writer = PFSyncPacketWriter(version: .openBSD)
        let carried = writer.canCarry(.compressedUpdate(Self.update()))
        #expect(!carried)
    }
}
