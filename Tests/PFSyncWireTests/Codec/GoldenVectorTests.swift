import PFSyncCore
import Testing
@testable import PFSyncWire

/// Packets written byte by byte from the layout tables in docs/pfsync-wire.md. Each is
/// decoded and compared with the expected messages, and re-encoded and compared byte for byte.
@Suite("pfsync golden byte vectors")
struct GoldenVectorTests {
    static func zeros(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }

    static let checksum: [UInt8] = [
        0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
    ]

    // MARK: - UPD_C, FreeBSD

    static let compressedUpdatePacket: [UInt8] =
        [0x05] // version 5 (FreeBSD)
        + [0x00] // pad
        + [0x00, 0x70] // len 112 = 20 header + 4 sub-header + 84 UPD_C + 4 EOF
        + checksum // pfcksum[16]
        + [0x04, 0x00, 0x00, 0x01] // sub-header: action 4 (UPD_C), pad, count 1
        + [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88] // id
        // src peer
        + [0x00, 0x01] // pfss_flags 1
        + [0x40] // pfss_ttl 64
        + [0x01] // scrub_flag 1
        + [0x00, 0x00, 0x12, 0x34] // pfss_ts_mod 0x1234
        + [0x10, 0x00, 0x00, 0x01] // seqlo
        + [0x10, 0x00, 0xFF, 0xFF] // seqhi
        + [0x00, 0x00, 0x00, 0x00] // seqdiff
        + [0xFF, 0xFF] // max_win 65535
        + [0x05, 0xB4] // mss 1460
        + [0x04] // state ESTABLISHED
        + [0x87] // wscale 7 with PF_WSCALE_FLAG
        + zeros(6) // pad
        // dst peer
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] // scrub: none
        + [0x20, 0x00, 0x00, 0x01] // seqlo
        + [0x20, 0x01, 0x00, 0x00] // seqhi
        + [0x00, 0x00, 0x00, 0x10] // seqdiff 16
        + [0x10, 0x00] // max_win 4096
        + [0x00, 0x00] // mss 0
        + [0x04] // state ESTABLISHED
        + [0x00] // wscale 0
        + zeros(6) // pad
        + [0xDE, 0xAD, 0xBE, 0xEF] // creatorid
        + [0x00, 0x01, 0x51, 0x80] // expire 86400 s
        + [0x02] // timeout 2 (tcp.established)
        + [0x00, 0x00, 0x00] // pad (FreeBSD)
        + [0x0C, 0x00, 0x00, 0x01] // EOF sub-header: action 12, pad, count 1

    static let compressedUpdate = CompressedUpdate(
        identity: StateID(id: 0x1122_3344_5566_7788, creatorID: 0xDEAD_BEEF),
        src: StatePeer(
            scrub: PeerScrub(flags: 1, ttl: 64, scrubFlag: 1, tsMod: 0x1234),
            seqLo: 0x1000_0001, seqHi: 0x1000_FFFF, seqDiff: 0, maxWin: 65535, mss: 1460,
            state: PeerState.established, wscale: 0x87),
        dst: StatePeer(
            seqLo: 0x2000_0001, seqHi: 0x2001_0000, seqDiff: 16, maxWin: 4096, mss: 0,
            state: PeerState.established, wscale: 0),
        expire: 86400, timeout: 2, stateFlags: 0)

    @Test("UPD_C in a FreeBSD packet with header and EOF")
    func compressedUpdateVector() throws {
        let bytes = Self.compressedUpdatePacket
        #expect(bytes.count == 112)
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.version == .freeBSD)
        #expect(packet.checksum == Self.checksum)
        #expect(packet.messages == [.compressedUpdate(Self.compressedUpdate), .eof])
        #expect(encodePacket([.compressedUpdate(Self.compressedUpdate)], version: .freeBSD,
                             encoding: .freeBSD1400, checksum: Self.checksum) == bytes)
    }

    // MARK: - INS_1400, IPv6 (af 28), FreeBSD

    static let v6Key: [UInt8] =
        [0x20, 0x01, 0x0D, 0xB8] + zeros(11) + [0x01] // addr[0] 2001:db8::1
        + [0x20, 0x01, 0x0D, 0xB8] + zeros(11) + [0x02] // addr[1] 2001:db8::2
        + [0xC3, 0x50] // port[0] 50000
        + [0x01, 0xBB] // port[1] 443

    static let insert1400Packet: [UInt8] =
        [0x05, 0x00] // version 5, pad
        + [0x01, 0x31] // len 305 = 20 + 4 + 277 + 4
        + zeros(16) // pfcksum
        + [0x0D, 0x00, 0x00, 0x01] // sub-header: action 13 (INS_1400), pad, count 1
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A] // 0 id 42
        + [0x65, 0x6D, 0x30] + zeros(13) // 8 ifname "em0"
        + v6Key // 24 key[0] (wire side)
        + v6Key // 60 key[1] (stack side, no NAT)
        // 96 src peer
        + zeros(8) // scrub
        + [0x00, 0x00, 0x00, 0x01] // seqlo 1
        + [0x00, 0x00, 0xFF, 0xFF] // seqhi 65535
        + zeros(4) // seqdiff
        + [0x80, 0x00] // max_win 32768
        + [0x05, 0xA0] // mss 1440
        + [0x02] // state SYN_SENT
        + [0x00] // wscale
        + zeros(6) // pad
        // 128 dst peer
        + zeros(24) // scrub, seqlo, seqhi, seqdiff, max_win, mss all zero
        + [0x00] // state CLOSED
        + [0x00] // wscale
        + zeros(6) // pad
        + zeros(16) // 160 rt_addr
        + [0x00, 0x00, 0x00, 0x05] // 176 rule 5
        + [0xFF, 0xFF, 0xFF, 0xFF] // 180 anchor -1
        + [0xFF, 0xFF, 0xFF, 0xFF] // 184 nat_rule -1
        + [0x00, 0x00, 0x00, 0x3C] // 188 creation: age 60 s
        + [0x00, 0x00, 0x00, 0x1E] // 192 expire: 30 s remaining
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A] // 196 packets[0] hi, lo = 10
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08] // 204 packets[1] = 8
        + [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00] // 212 bytes[0] = 2^32
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00] // 220 bytes[1] = 1024
        + [0xDE, 0xAD, 0xBE, 0xEF] // 228 creatorid
        + [0x1C] // 232 af 28 (FreeBSD AF_INET6)
        + [0x06] // 233 proto TCP
        + [0x01] // 234 direction in
        + [0x01, 0x02] // 235 state_flags 0x0102
        + [0x00] // 237 log
        + [0x00] // 238 spare
        + [0x01] // 239 timeout 1 (tcp.opening)
        + [0x00] // 240 sync_flags
        + [0x00] // 241 updates
        + [0x00, 0x07] // 242 qid 7
        + [0x00, 0x00] // 244 pqid
        + [0x00, 0x00] // 246 dnpipe
        + [0x00, 0x00] // 248 dnrpipe
        + [0x00, 0x00, 0x00, 0x00] // 250 rtableid
        + [0x00] // 254 min_ttl
        + [0x00] // 255 set_tos
        + [0x05, 0x8C] // 256 max_mss 1420
        + [0x00, 0x00] // 258 set_prio[2]
        + [0x00] // 260 rt
        + zeros(16) // 261 rt_ifname, ends at 277
        + [0x0C, 0x00, 0x00, 0x01] // EOF

    static var insert1400State: PFState {
        let key = StateKey(
            addr0: IPAddress(high: 0x2001_0DB8_0000_0000, low: 1),
            addr1: IPAddress(high: 0x2001_0DB8_0000_0000, low: 2),
            port0: 50000, port1: 443, af: .inet6)
        var state = PFState(
            identity: StateID(id: 42, creatorID: 0xDEAD_BEEF), af: .inet6, proto: 6, direction: 1,
            wireKey: key, ifname: InterfaceName("em0"))
        state.src = StatePeer(seqLo: 1, seqHi: 65535, maxWin: 32768, mss: 1440, state: PeerState.synSent)
        state.rule = 5
        state.anchor = 0xFFFF_FFFF
        state.natRule = 0xFFFF_FFFF
        state.creation = 60
        state.expire = 30
        state.packets = CounterPair(10, 8)
        state.bytes = CounterPair(1 << 32, 1024)
        state.stateFlags = 0x0102
        state.timeout = 1
        state.qid = 7
        state.maxMSS = 1420
        return state
    }

    @Test("INS_1400 with an IPv6 state (af 28)")
    func insert1400Vector() throws {
        let bytes = Self.insert1400Packet
        #expect(bytes.count == 305)
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.messages == [.insert(Self.insert1400State, .freeBSD1400), .eof])
        #expect(packet.messages.first?.actionName == "INS_1400")
        #expect(encodePacket([.insert(Self.insert1400State, .freeBSD1400)], version: .freeBSD,
                             encoding: .freeBSD1400) == bytes)
    }

    // MARK: - INS, OpenBSD, IPv6 (af 24)

    static let openBSDKey: [UInt8] =
        [0xFD] + zeros(14) + [0x01] // addr[0] fd00::1
        + [0xFD] + zeros(14) + [0x02] // addr[1] fd00::2
        + [0x00, 0x35] // port[0] 53
        + [0xD4, 0x31] // port[1] 54321
        + [0x00, 0x00] // rdomain 0
        + [0x18] // af 24 (OpenBSD AF_INET6)
        + [0x00] // pad

    static let openBSDInsertPacket: [UInt8] =
        [0x06, 0x00] // version 6 (OpenBSD), pad
        + [0x01, 0x20] // len 288 = 20 + 4 + 264
        + zeros(16) // pfcksum (OpenBSD leaves it zero)
        + [0x0D, 0x42, 0x00, 0x01] // sub-header: action 13 (INS), len 66 words = 264, count 1
        + [0x00, 0x00, 0x00, 0x00, 0xCA, 0xFE, 0x00, 0x01] // 0 id
        + [0x76, 0x69, 0x6F, 0x30] + zeros(12) // 8 ifname "vio0"
        + openBSDKey // 24 key[0]
        + openBSDKey // 64 key[1]
        // 104 src peer
        + zeros(24) // scrub, seqlo, seqhi, seqdiff, max_win, mss
        + [0x02] // state MULTIPLE
        + [0x00] + zeros(6) // wscale, pad
        // 136 dst peer
        + zeros(24)
        + [0x01] // state SINGLE
        + [0x00] + zeros(6)
        + zeros(16) // 168 rt_addr
        + [0x00, 0x00, 0x00, 0x01] // 184 rule 1
        + [0xFF, 0xFF, 0xFF, 0xFF] // 188 anchor -1
        + [0xFF, 0xFF, 0xFF, 0xFF] // 192 nat_rule -1
        + [0x00, 0x00, 0x00, 0x00] // 196 creation 0
        + [0x00, 0x00, 0x00, 0x3C] // 200 expire 60
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02] // 204 packets[0] 2
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01] // 212 packets[1] 1
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80] // 220 bytes[0] 128
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60] // 228 bytes[1] 96
        + [0x0B, 0xAD, 0xF0, 0x0D] // 236 creatorid
        + [0x00, 0x00, 0x00, 0x00] // 240 rtableid[0]
        + [0x00, 0x00, 0x00, 0x01] // 244 rtableid[1] 1
        + [0x00, 0x00] // 248 max_mss
        + [0x18] // 250 af 24
        + [0x11] // 251 proto UDP
        + [0x02] // 252 direction out
        + [0x00] // 253 log
        + [0x00] // 254 rt
        + [0x08] // 255 timeout 8 (udp.multiple)
        + [0x00] // 256 sync_flags
        + [0x00] // 257 updates
        + [0x00] // 258 min_ttl
        + [0x00] // 259 set_tos
        + [0x00, 0x04] // 260 state_flags 4
        + [0x00, 0x00] // 262 set_prio[2], ends at 264

    static var openBSDInsertState: PFState {
        let key = StateKey(
            addr0: IPAddress(high: 0xFD00_0000_0000_0000, low: 1),
            addr1: IPAddress(high: 0xFD00_0000_0000_0000, low: 2),
            port0: 53, port1: 54321, af: .inet6)
        var state = PFState(
            identity: StateID(id: 0xCAFE_0001, creatorID: 0x0BAD_F00D), af: .inet6, proto: 17,
            direction: 2, wireKey: key, ifname: InterfaceName("vio0"))
        state.src = StatePeer(state: PeerState.multiple)
        state.dst = StatePeer(state: PeerState.single)
        state.rule = 1
        state.anchor = 0xFFFF_FFFF
        state.natRule = 0xFFFF_FFFF
        state.expire = 60
        state.packets = CounterPair(2, 1)
        state.bytes = CounterPair(128, 96)
        state.rtableID2 = 1
        state.timeout = 8
        state.stateFlags = 4
        return state
    }

    @Test("OpenBSD version 6 INS with an IPv6 state (af 24), no EOF")
    func openBSDInsertVector() throws {
        let bytes = Self.openBSDInsertPacket
        #expect(bytes.count == 288)
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.version == .openBSD)
        #expect(packet.messages == [.insert(Self.openBSDInsertState, .openBSD)])
        #expect(packet.messages.first?.actionName == "INS")
        #expect(encodePacket([.insert(Self.openBSDInsertState, .openBSD)], version: .openBSD,
                             encoding: .openBSD) == bytes)
    }

    // MARK: - CLR, DEL_C x 2, BUS and EOF in one FreeBSD packet

    static let mixedPacket: [UInt8] =
        [0x05, 0x00] // version 5, pad
        + [0x00, 0x5C] // len 92 = 20 + (4 + 20) + (4 + 2 x 12) + (4 + 12) + 4
        + zeros(16) // pfcksum
        + [0x00, 0x00, 0x00, 0x01] // sub-header: action 0 (CLR), count 1
        + [0x70, 0x66, 0x73, 0x79, 0x6E, 0x63, 0x30] + zeros(9) // ifname "pfsync0"
        + [0x00, 0x00, 0x00, 0x2A] // creatorid 42
        + [0x07, 0x00, 0x00, 0x02] // sub-header: action 7 (DEL_C), count 2
        + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00] // id 256
        + [0x00, 0x00, 0x00, 0x2A] // creatorid 42
        + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] // id 2^64 - 1
        + [0x00, 0x00, 0x00, 0x2B] // creatorid 43
        + [0x0A, 0x00, 0x00, 0x01] // sub-header: action 10 (BUS), count 1
        + [0x00, 0x00, 0x00, 0x2A] // creatorid 42
        + [0x00, 0x00, 0x0E, 0x10] // endtime 3600
        + [0x02] // status END
        + [0x00, 0x00, 0x00] // pad
        + [0x0C, 0x00, 0x00, 0x01] // EOF

    static let mixedMessages: [PFSyncMessage] = [
        .clear(ifname: InterfaceName("pfsync0"), creatorID: 42),
        .compressedDelete(StateID(id: 256, creatorID: 42)),
        .compressedDelete(StateID(id: .max, creatorID: 43)),
        .bulkStatus(BulkStatus(creatorID: 42, endTime: 3600, status: BulkStatus.end)),
    ]

    @Test("CLR, two DEL_C under one sub-header, BUS and EOF")
    func mixedVector() throws {
        let bytes = Self.mixedPacket
        #expect(bytes.count == 92)
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.messages == Self.mixedMessages + [.eof])
        #expect(packet.messages.map(\.actionName) == ["CLR", "DEL_C", "DEL_C", "BUS", "EOF"])
        #expect(encodePacket(Self.mixedMessages, version: .freeBSD, encoding: .freeBSD1400) == bytes)
    }

    @Test("the same messages in OpenBSD: sub-header len in words, no EOF")
    func mixedOpenBSDVector() throws {
        let bytes: [UInt8] =
            [0x06, 0x00, 0x00, 0x58] // version 6, pad, len 88 (no EOF)
            + Array(Self.mixedPacket[4..<20]) // pfcksum (zero)
            + [0x00, 0x05, 0x00, 0x01] // CLR: len 5 words (20 bytes), count 1
            + Array(Self.mixedPacket[24..<44])
            + [0x07, 0x03, 0x00, 0x02] // DEL_C: len 3 words (12 bytes), count 2
            + Array(Self.mixedPacket[48..<72])
            + [0x0A, 0x03, 0x00, 0x01] // BUS: len 3 words, count 1
            + Array(Self.mixedPacket[76..<88])
        let packet = try PFSyncPacket.decode(bytes)
        #expect(packet.messages == Self.mixedMessages)
        #expect(encodePacket(Self.mixedMessages, version: .openBSD, encoding: .openBSD) == bytes)
    }
}
