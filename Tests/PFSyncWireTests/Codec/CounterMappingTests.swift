import PFSyncCore
import Testing
@testable import PFSyncWire

/// Each decoding failure maps to the pfsync counter pf increments for it.
@Suite("pfsync decode errors and counters")
struct CounterMappingTests {
    /// A header with the given version and len, followed by `body`; len defaults to the total.
    static func packet(version: UInt8, body: [UInt8], len: Int? = nil) -> [UInt8] {
        let total = len ?? 20 + body.count
        return [version, 0, UInt8(total >> 8), UInt8(total & 0xFF)] + [UInt8](repeating: 0, count: 16) + body
    }

    static func headerError(_ bytes: [UInt8]) -> PFSyncError? {
        do throws(PFSyncError) {
            _ = try PFSyncPacket.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    static let delC: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1] // id 9, creatorid 1

    @Test("hdrops: fewer than 20 bytes")
    func hdrops() {
        for count in 0..<20 {
            #expect(Self.headerError([UInt8](repeating: 5, count: count))?.counter == .hdrops)
        }
    }

    @Test("badver: versions other than 5 and 6")
    func badver() {
        for version: UInt8 in [0, 1, 4, 7, 255] {
            let error = Self.headerError(Self.packet(version: version, body: []))
            #expect(error?.counter == .badver)
            #expect(error?.offset == 0)
        }
    }

    @Test("badlen: header len below 20 or beyond the bytes; trailing bytes are ignored")
    func headerBadlen() throws {
        #expect(Self.headerError(Self.packet(version: 5, body: [], len: 19))?.counter == .badlen)
        #expect(Self.headerError(Self.packet(version: 5, body: [], len: 21))?.counter == .badlen)
        #expect(Self.headerError(Self.packet(version: 6, body: [1, 2, 3], len: 24))?.counter == .badlen)
        // Bytes after len (here a bogus sub-header) are not read.
        let trailing = Self.packet(version: 5, body: [0xFF, 0, 0, 1], len: 20)
        #expect(try PFSyncPacket.decode(trailing).messages.isEmpty)
        #expect(try PFSyncPacket.decode(trailing).error == nil)
    }

    @Test("badlen: count x size overruns the packet; earlier messages are kept")
    func subHeaderBadlen() throws {
        let body: [UInt8] = [7, 0, 0, 1] + Self.delC + [7, 0, 0, 2] + Self.delC
        let packet = try PFSyncPacket.decode(Self.packet(version: 5, body: body))
        #expect(packet.messages == [.compressedDelete(StateID(id: 9, creatorID: 1))])
        #expect(packet.error?.counter == .badlen)
        #expect(packet.error?.offset == 36)
        #expect(packet.error?.reason == "sub-header at 36: count 2 x 12 bytes exceeds packet (52 bytes)")
    }

    @Test("badact: FreeBSD unknown or unsupported action drops the rest of the packet")
    func badact() throws {
        for action: UInt8 in [6, 8, 9, 17, 200] {
            let body: [UInt8] = [7, 0, 0, 1] + Self.delC + [action, 0, 0, 1] + Self.delC + [7, 0, 0, 1] + Self.delC
            let packet = try PFSyncPacket.decode(Self.packet(version: 5, body: body))
            #expect(packet.messages == [.compressedDelete(StateID(id: 9, creatorID: 1))])
            #expect(packet.error?.counter == .badact)
            #expect(packet.error?.offset == 36)
        }
    }

    @Test("OpenBSD skips unknown actions using the sub-header len")
    func openBSDSkipsUnknown() throws {
        let unknown: [UInt8] = [99, 2, 0, 3] + [UInt8](repeating: 0xEE, count: 24) // 3 messages of 8 bytes
        let body: [UInt8] = unknown + [7, 3, 0, 1] + Self.delC + [8, 1, 0, 1, 1, 2, 3, 4] // INS_F: unknown too
        let packet = try PFSyncPacket.decode(Self.packet(version: 6, body: body))
        #expect(packet.messages == [.compressedDelete(StateID(id: 9, creatorID: 1))])
        #expect(packet.error == nil)
        #expect(packet.skippedMessages == 4)
    }

    @Test("OpenBSD badlen: unknown action with len 0, or skip beyond the packet")
    func openBSDSkipBadlen() throws {
        let zeroLen = try PFSyncPacket.decode(Self.packet(version: 6, body: [99, 0, 0, 1, 0, 0, 0, 0]))
        #expect(zeroLen.error?.counter == .badlen)
        let tooLong = try PFSyncPacket.decode(Self.packet(version: 6, body: [99, 2, 0, 2, 0, 0, 0, 0]))
        #expect(tooLong.error?.counter == .badlen)
        // count 0 needs no len.
        let empty = try PFSyncPacket.decode(Self.packet(version: 6, body: [99, 0, 0, 0]))
        #expect(empty.error == nil)
    }

    @Test("OpenBSD len of a known action: larger is honoured, smaller is badlen")
    func openBSDKnownLen() throws {
        // DEL_C sent with len 4 words (16 bytes): 4 extra bytes per message are ignored.
        let padded = Self.delC + [0xAA, 0xBB, 0xCC, 0xDD]
        let larger = try PFSyncPacket.decode(Self.packet(version: 6, body: [7, 4, 0, 2] + padded + padded))
        #expect(larger.messages == [.compressedDelete(StateID(id: 9, creatorID: 1)),
                                    .compressedDelete(StateID(id: 9, creatorID: 1))])
        #expect(larger.error == nil)
        let smaller = try PFSyncPacket.decode(Self.packet(version: 6, body: [7, 2, 0, 1] + Self.delC))
        #expect(smaller.messages.isEmpty)
        #expect(smaller.error?.counter == .badlen)
        #expect(smaller.error?.offset == 20)
    }

    @Test("badval: bad family, direction, peer state, timeout, BUS status; decoding goes on")
    func badval() throws {
        let valid = GoldenVectorTests.insert1400Packet
        // Offsets inside the packet: state starts at 24.
        let cases: [(offset: Int, value: UInt8)] = [
            (24 + 232, 10),  // af 10 is accepted (liberal) ...
            (24 + 232, 3),   // ... af 3 is not
            (24 + 234, 3),   // direction 3
            (24 + 96 + 24, 13),  // src state beyond PF_TCPS_PROXY_DST
            (24 + 128 + 24, 200), // dst state
            (24 + 239, 25),  // timeout = PFTM_MAX
        ]
        for (index, item) in cases.enumerated() {
            var bytes = valid
            bytes[item.offset] = item.value
            let packet = try PFSyncPacket.decode(bytes)
            if index == 0 {
                #expect(packet.rejected.isEmpty)
                continue
            }
            #expect(packet.rejected.map(\.counter) == [.badval], "case \(index)")
            #expect(packet.rejected.first?.offset == 24)
            #expect(packet.messages == [.eof], "decoding continues after badval")
            #expect(packet.error == nil)
        }
    }

    @Test("badval on UPD_C and BUS; the reader can go on after it")
    func badvalSmallMessages() throws {
        var update = GoldenVectorTests.compressedUpdatePacket
        update[24 + 80] = 30 // timeout
        let rejected = try PFSyncPacket.decode(update)
        #expect(rejected.rejected.first?.counter == .badval)
        #expect(rejected.messages == [.eof])

        let bus: [UInt8] = [10, 0, 0, 2] + [0, 0, 0, 1, 0, 0, 0, 2, 3, 0, 0, 0] + [0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0]
        let bytes = Self.packet(version: 5, body: bus)
        try bytes.withUnsafeBytes { raw in
            var reader = try PFSyncPacketReader(raw)
            do throws(PFSyncError) {
                _ = try reader.next()
                Issue.record("status 3 should be badval")
            } catch {
                #expect(error.counter == .badval)
                #expect(error.isRecoverable)
                #expect(error.offset == 24)
            }
            #expect(try reader.next() == .bulkStatus(BulkStatus(creatorID: 1, endTime: 2, status: BulkStatus.start)))
            #expect(try reader.next() == nil)
        }
    }
}
