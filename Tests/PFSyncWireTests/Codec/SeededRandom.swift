import PFSyncCore
@testable import PFSyncWire

/// SplitMix64: a small deterministic generator so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random field values for every wire structure, limited to what the format carries so that
/// a decode of the encoding must give back exactly the same value.
struct RandomValues {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &rng) }
    mutating func u64() -> UInt64 { rng.next() }
    mutating func i32() -> Int32 { Int32(bitPattern: u32()) }
    mutating func family() -> AddressFamily { Bool.random(using: &rng) ? .inet : .inet6 }
    mutating func address() -> IPAddress { IPAddress(high: u64(), low: u64()) }
    mutating func name() -> InterfaceName { InterfaceName(high: u64(), low: u64()) }
    mutating func identity() -> StateID { StateID(id: u64(), creatorID: u32()) }

    mutating func peer() -> StatePeer {
        StatePeer(
            scrub: PeerScrub(flags: u16(), ttl: u8(), scrubFlag: u8(), tsMod: u32()),
            seqLo: u32(), seqHi: u32(), seqDiff: u32(), maxWin: u16(), mss: u16(),
            state: UInt8.random(in: 0...12, using: &rng), wscale: u8())
    }

    mutating func key(family: AddressFamily, rdomain: UInt16 = 0) -> StateKey {
        StateKey(addr0: address(), addr1: address(), port0: u16(), port1: u16(), rdomain: rdomain, af: family)
    }

    /// A state holding random values in exactly the fields `format` carries.
    mutating func state(_ format: StateEncoding) -> PFState {
        let af = family()
        var s = PFState(identity: identity(), af: af, proto: u8(), direction: UInt8.random(in: 0...2, using: &rng))
        s.ifname = name()
        s.src = peer()
        s.dst = peer()
        s.rtAddr = address()
        s.rule = u32(); s.anchor = u32(); s.natRule = u32()
        s.creation = u32(); s.expire = u32()
        s.packets = CounterPair(u64(), u64())
        s.bytes = CounterPair(u64(), u64())
        s.log = u8()
        let timeoutLimit: UInt8 = format == .openBSD ? 20 : 25
        s.timeout = UInt8.random(in: 0..<timeoutLimit, using: &rng)
        switch format {
        case .freeBSD1301, .freeBSD1400:
            s.wireKey = key(family: af)
            s.stackKey = key(family: af)
            s.syncFlags = u8(); s.updates = u8()
            if format == .freeBSD1301 {
                s.stateFlags = UInt16(u8())
                return s
            }
            s.stateFlags = u16()
            s.qid = u16(); s.pqid = u16(); s.dnpipe = u16(); s.dnrpipe = u16()
            s.rtableID = i32(); s.minTTL = u8(); s.setTOS = u8(); s.maxMSS = u16()
            s.setPrio0 = u8(); s.setPrio1 = u8(); s.rt = u8(); s.rtIfname = name()
        case .freeBSD1500:
            s.wireKey = key(family: af)
            s.stackKey = key(family: family())
            s.tagName = TagName(words: (u64(), u64(), u64(), u64(), u64(), u64(), u64(), u64()))
            s.rtIfname = name(); s.origIfname = name()
            s.rtableID = i32(); s.stateFlags = u16()
            s.qid = u16(); s.pqid = u16(); s.dnpipe = u16(); s.dnrpipe = u16(); s.maxMSS = u16()
            s.rtAF = Bool.random(using: &rng) ? nil : family()
            s.stackProto = UInt8.random(in: 1...255, using: &rng)
            s.rt = u8(); s.minTTL = u8(); s.setTOS = u8(); s.setPrio0 = u8(); s.setPrio1 = u8()
        case .openBSD:
            s.wireKey = key(family: family(), rdomain: u16())
            s.stackKey = key(family: family(), rdomain: u16())
            s.rtableID = i32(); s.rtableID2 = i32(); s.maxMSS = u16()
            s.rt = u8(); s.syncFlags = u8(); s.updates = u8(); s.minTTL = u8(); s.setTOS = u8()
            s.stateFlags = u16(); s.setPrio0 = u8(); s.setPrio1 = u8()
        }
        return s
    }

    mutating func compressedUpdate(_ version: PFSyncVersion) -> CompressedUpdate {
        CompressedUpdate(
            identity: identity(), src: peer(), dst: peer(), expire: u32(),
            timeout: UInt8.random(in: 0..<(version == .openBSD ? 20 : 25), using: &rng),
            stateFlags: version == .openBSD ? u8() : 0)
    }

    mutating func tdb(_ version: PFSyncVersion) -> TDBMessage {
        TDBMessage(
            spi: u32(), dstLength: u8(), dstFamily: u8(), dstPort: u16(), dstFlowInfo: u32(),
            dstAddress: address(), dstScopeID: u32(),
            rpl: version == .freeBSD ? UInt64(u32()) : u64(), curBytes: u64(), sproto: u8(),
            updates: u8(), rdomain: version == .openBSD ? u16() : 0)
    }

    /// Every message kind the version carries, full states in `encoding`.
    mutating func messages(_ version: PFSyncVersion, encoding: StateEncoding) -> [PFSyncMessage] {
        var all: [PFSyncMessage] = [
            .clear(ifname: name(), creatorID: u32()),
            .insert(state(encoding), encoding),
            .update(state(encoding), encoding),
            .insertAck(identity()),
            .compressedUpdate(compressedUpdate(version)),
            .updateRequest(identity()),
            .compressedDelete(identity()),
            .bulkStatus(BulkStatus(creatorID: u32(), endTime: u32(), status: Bool.random(using: &rng) ? 1 : 2)),
            .tdb(tdb(version)),
        ]
        if version == .openBSD { all.append(.delete(state(.openBSD))) }
        return all
    }

    /// A random pick of `count` messages (with repeats, so that groups form).
    mutating func messageMix(_ version: PFSyncVersion, encoding: StateEncoding, count: Int) -> [PFSyncMessage] {
        var result: [PFSyncMessage] = []
        while result.count < count {
            let pool = messages(version, encoding: encoding)
            let pick = pool[Int.random(in: 0..<pool.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...3, using: &rng) where result.count < count { result.append(pick) }
        }
        return result
    }
}

/// The (version, encoding) combinations pfsyncd speaks.
let allFormats: [(PFSyncVersion, StateEncoding)] = [
    (.freeBSD, .freeBSD1301), (.freeBSD, .freeBSD1400), (.freeBSD, .freeBSD1500), (.openBSD, .openBSD),
]

/// Encodes messages into one packet (fails the test through the returned nil if any is refused).
func encodePacket(
    _ messages: [PFSyncMessage], version: PFSyncVersion, encoding: StateEncoding,
    checksum: [UInt8] = [UInt8](repeating: 0, count: 16)
) -> [UInt8]? {
    var writer = PFSyncPacketWriter(version: version, encoding: encoding, maxLength: 65_535, checksum: checksum)
    for message in messages where !writer.append(message) { return nil }
    return writer.finish()
}
