import PFSyncCore
import PFSyncWire
@testable import PFSyncReplication

/// Two plain pfsync engines joined in-process: every packet one sends is wrapped in an
/// IPv4 header (TTL 255, protocol 240) and handed to the other on the next `deliver()`.
final class PlainPFSyncPair {
    let primaryTable = StateTable(shardCount: 4, hashSeed: 1)
    let backupTable = StateTable(shardCount: 4, hashSeed: 2)
    let primary: PlainPFSyncEngine
    let backup: PlainPFSyncEngine
    var toBackup: [[UInt8]] = []
    var toPrimary: [[UInt8]] = []
    /// Every pfsync packet either side sent (no IP header), in order.
    var sentByPrimary: [[UInt8]] = []
    var sentByBackup: [[UInt8]] = []
    var now: UInt64 = 1_000_000_000
    let stateNow: UInt32 = 10_000

    init(primaryConfig: EngineConfig? = nil, backupConfig: EngineConfig? = nil) {
        var first = primaryConfig ?? EngineConfig(nodeID: 1, epoch: 1)
        if primaryConfig == nil { first.requestBulkOnStart = false }
        var second = backupConfig ?? EngineConfig(nodeID: 2, epoch: 1)
        if backupConfig == nil { second.requestBulkOnStart = false }
        first.maxDatagramSize = 1480
        second.maxDatagramSize = 1480
        primary = PlainPFSyncEngine(config: first, table: primaryTable)
        backup = PlainPFSyncEngine(config: second, table: backupTable)
    }

    func start() {
        primary.start(nowNanos: now) { sendFromPrimary($0) }
        backup.start(nowNanos: now) { sendFromBackup($0) }
    }

    func sendFromPrimary(_ packet: UnsafeRawBufferPointer) {
        sentByPrimary.append(Array(packet))
        toBackup.append(Self.ipv4(Array(packet)))
    }

    func sendFromBackup(_ packet: UnsafeRawBufferPointer) {
        sentByBackup.append(Array(packet))
        toPrimary.append(Self.ipv4(Array(packet)))
    }

    /// Delivers everything in flight (and what the answers send) until both queues are empty.
    func deliver() {
        var rounds = 0
        while (!toBackup.isEmpty || !toPrimary.isEmpty) && rounds < 1000 {
            rounds += 1
            let forBackup = toBackup
            let forPrimary = toPrimary
            toBackup.removeAll()
            toPrimary.removeAll()
            for datagram in forBackup {
                datagram.withUnsafeBytes {
                    backup.receive(ipDatagram: $0, onSyncInterface: true, nowNanos: now, stateNow: stateNow) {
                        sendFromBackup($0)
                    }
                }
            }
            for datagram in forPrimary {
                datagram.withUnsafeBytes {
                    primary.receive(ipDatagram: $0, onSyncInterface: true, nowNanos: now, stateNow: stateNow) {
                        sendFromPrimary($0)
                    }
                }
            }
        }
    }

    /// Advances the clock, ticks both engines and delivers.
    func tick(advanceNanos: UInt64 = 2_000_000) {
        now += advanceNanos
        primary.tick(nowNanos: now, stateNow: stateNow) { sendFromPrimary($0) }
        backup.tick(nowNanos: now, stateNow: stateNow) { sendFromBackup($0) }
        deliver()
    }

    /// An IPv4 header (20 bytes, protocol 240) in front of `payload`.
    static func ipv4(_ payload: [UInt8], ttl: UInt8 = 255, version: UInt8 = 4) -> [UInt8] {
        let total = 20 + payload.count
        var header: [UInt8] = [
            version << 4 | 5, 0x10, UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total),
            0, 1, 0x40, 0, ttl, 240, 0, 0, 10, 0, 0, 1, 224, 0, 0, 240,
        ]
        header += payload
        return header
    }

    /// A TCP state owned by creator `creator`.
    static func state(_ index: Int, creator: UInt32 = 1, seqLo: UInt32 = 1000) -> PFState {
        let key = StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0000 | UInt32(index)), addr1: IPAddress(ipv4: 0xC000_0250),
            port0: UInt16(truncatingIfNeeded: 1024 + index), port1: 443)
        var state = PFState(identity: StateID(id: UInt64(index) << 8 | 0x5A, creatorID: creator), proto: 6, wireKey: key)
        state.src = StatePeer(seqLo: seqLo, seqHi: seqLo &+ 65_535, maxWin: 65_535, state: PeerState.established)
        state.dst = StatePeer(seqLo: seqLo &* 3, seqHi: seqLo &* 3 &+ 29_200, maxWin: 29_200, state: PeerState.established)
        state.timeout = TimeoutClass.tcpEstablished.rawValue
        state.creation = 9_000
        state.expire = 1_000_000
        return state
    }

    /// What replication must carry, per state (counters excluded: UPD_C carries none).
    static func comparable(_ table: StateTable) -> [StateID: String] {
        var result: [StateID: String] = [:]
        for state in table.allStates() {
            result[state.identity] =
                "\(state.wireKey) \(state.stackKey) \(state.src) \(state.dst) \(state.timeout) \(state.proto) \(state.af) \(state.direction)"
        }
        return result
    }

    /// Every message of the given packets, decoded; the packets must decode without error.
    static func messages(_ packets: [[UInt8]]) throws -> [[PFSyncMessage]] {
        try packets.map { packet in
            try packet.withUnsafeBytes { raw throws -> [PFSyncMessage] in
                var reader = try PFSyncPacketReader(raw)
                var out: [PFSyncMessage] = []
                while let message = try reader.next() { out.append(message) }
                return out
            }
        }
    }
}
