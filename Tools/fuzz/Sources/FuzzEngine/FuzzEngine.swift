@testable import PFSyncCore
import PFSyncReplication
import PFSyncWire

/// The key both the sealer and the engine use, so that every input reaches the engine's
/// message handling instead of stopping at authentication.
func fuzzKey() -> SyncKey {
    do {
        return try SyncKey(bytes: Array("pfsyncd-fuzz-key-0123456789abcdef".utf8))
    } catch {
        fatalError("fuzz key rejected: \(error)")
    }
}

// libFuzzer calls the entry point from one thread; the engines and their tables live across
// runs, so that an insert in one input meets its update or delete in a later one.
nonisolated(unsafe) var table = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 1)
nonisolated(unsafe) var plainTable = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 2)
nonisolated(unsafe) var engine = ReplicationEngine(config: EngineConfig(nodeID: 1, epoch: 1), table: table, key: fuzzKey())
nonisolated(unsafe) var plain = PlainPFSyncEngine(config: EngineConfig(nodeID: 1, epoch: 1), table: plainTable)
nonisolated(unsafe) var sealer = SyncFrameSealer(key: fuzzKey(), senderID: 2, epoch: 7, maxDatagramSize: 9_000)
nonisolated(unsafe) var sequence: UInt64 = 0
nonisolated(unsafe) var now: UInt64 = 1_000_000_000
nonisolated(unsafe) var runs = 0

/// One input, as what a peer's encoder may send:
/// 1. a pfsync packet (FreeBSD v5, or anything) to the plain-pfsync engine, as if it came
///    over protocol 240 with TTL 255 on the sync interface;
/// 2. the same bytes as the payload of an authenticated pfsyncd DATA frame (the next
///    sequence number) to the pfsyncd engine, pfsync messages and delta section alike;
/// 3. the same bytes as an authenticated control frame (ACK, NACK, KEEPALIVE, HELLO).
/// Both engines then tick (answers, retransmissions, bulk) and send into the void. Their
/// tables must stay consistent (checked every 16th input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEngine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    now &+= 3_000_000
    let stateNow = UInt32(truncatingIfNeeded: now / 1_000_000_000) &+ 1_700_000_000
    plain.receive(packet: input, nowNanos: now, stateNow: stateNow) { _ in }
    plain.tick(nowNanos: now, stateNow: stateNow) { _ in }

    sequence &+= 1
    deliver(kind: .data, sequence: sequence, payload: input)
    // The same bytes as a control payload (ACK, NACK, KEEPALIVE or HELLO by the input's
    // length), carrying the sender's last DATA sequence as control frames do.
    let kinds: [SyncFrameKind] = [.ack, .nack, .keepalive, .hello]
    deliver(kind: kinds[size % kinds.count], sequence: sequence, payload: input)
    engine.tick(nowNanos: now, stateNow: stateNow) { _ in }

    runs &+= 1
    if table.count + plainTable.count > 8_192 { reset() }
    if runs % 16 == 0 {
        let broken = table.invariantViolations() + plainTable.invariantViolations()
        if !broken.isEmpty { fatalError("table invariants broken: \(broken)") }
    }
    return 0
}

/// Seals `payload` as a frame of `kind` from the fuzz peer and hands it to the pfsyncd engine.
func deliver(kind: SyncFrameKind, sequence: UInt64, payload: UnsafeRawBufferPointer) {
    guard let frame = try? sealer.seal(kind: kind, sequence: sequence, payload: payload) else { return }
    let datagram = Array(frame)
    datagram.withUnsafeBytes { bytes in
        engine.receive(bytes, nowNanos: now, stateNow: UInt32(truncatingIfNeeded: now / 1_000_000_000) &+ 1_700_000_000) { _ in }
    }
}

/// Fresh tables and engines (bounds memory; the sealer's sequence goes on, as a peer's would).
func reset() {
    table = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 1)
    plainTable = StateTable(shardCount: 2, initialCapacityPerShard: 64, hashSeed: 2)
    engine = ReplicationEngine(config: EngineConfig(nodeID: 1, epoch: 1), table: table, key: fuzzKey())
    plain = PlainPFSyncEngine(config: EngineConfig(nodeID: 1, epoch: 1), table: plainTable)
}
