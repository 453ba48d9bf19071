import Benchmark
import PFSyncCore
import PFSyncReplication
import PFSyncWire

/// In-process replication: a primary engine and a backup engine joined by a function call
/// instead of a socket, on ONE thread, so the figures are the CPU cost of both sides
/// together (table change, drain, encode, LZ4, HMAC, open, decompress, decode, apply).

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let key = try! SyncKey(bytes: Array("benchmark key, thirty-two bytes!".utf8))

func state(_ index: Int) -> PFState {
    let wire = StateKey(
        addr0: IPAddress(ipv4: 0x0A00_0000 | UInt32(index & 0xFF_FFFF)), addr1: IPAddress(ipv4: 0xC000_0201),
        port0: UInt16(truncatingIfNeeded: 1024 + index % 60_000), port1: 443)
    var state = PFState(identity: StateID(id: UInt64(index) &* 0x9E37_79B9 | 1, creatorID: 1), proto: 6, wireKey: wire)
    state.src = StatePeer(seqLo: UInt32(truncatingIfNeeded: index &* 7919), seqHi: 65_535, maxWin: 65_535, mss: 1460, state: 4, wscale: 7)
    state.dst = StatePeer(seqLo: UInt32(truncatingIfNeeded: index &* 104_729), seqHi: 65_535, maxWin: 65_535, mss: 1460, state: 4, wscale: 7)
    state.timeout = TimeoutClass.tcpEstablished.rawValue
    state.expire = 100_000
    state.creation = 1000
    state.ifname = InterfaceName("vtnet0")
    return state
}

/// A primary and a backup that both hold `count` states.
func pair(count: Int) -> (ReplicationEngine, ReplicationEngine) {
    let primaryTable = StateTable()
    let backupTable = StateTable()
    for index in 0..<count {
        primaryTable.insert(state(index), recordChange: false)
        backupTable.insert(state(index), recordChange: false)
    }
    var config = EngineConfig(nodeID: 1, epoch: 1)
    config.requestBulkOnStart = false
    let primary = ReplicationEngine(config: config, table: primaryTable, key: key)
    var backupConfig = EngineConfig(nodeID: 2, epoch: 1)
    backupConfig.requestBulkOnStart = false
    let backup = ReplicationEngine(config: backupConfig, table: backupTable, key: key)
    return (primary, backup)
}

let wireBytesPerUpdate = BenchmarkMetric.custom("wire bytes per update", polarity: .prefersSmaller, useScalingFactor: false)
let wireBytesPerBulkState = BenchmarkMetric.custom("wire bytes per bulk state", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)

    Benchmark(
        "replicate random updates (UPD_CC), 100k states, primary+backup on 1 thread",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, wireBytesPerUpdate], scalingFactor: .kilo, maxIterations: 20)
    ) { benchmark, engines in
        let (primary, backup) = engines
        let table = primary.table
        var random = SplitMix(state: 7)
        let updates = benchmark.scaledIterations.count
        let bytesBefore = primary.currentCounters[.bytesSent]
        var now: UInt64 = 1_000_000_000
        benchmark.startMeasurement()
        var done = 0
        while done < updates {
            // One flush interval's worth of changes, then a flush straight into the backup.
            for _ in 0..<1000 {
                let index = Int(random.next() % 100_000)
                let id = StateID(id: UInt64(index) &* 0x9E37_79B9 | 1, creatorID: 1)
                table.update(id) { state in
                    state.src.seqLo &+= 1460
                    state.dst.seqHi &+= 1460
                    state.packets.forward &+= 1
                    state.bytes.forward &+= 1500
                }
            }
            done += 1000
            now += 1_000_000
            primary.flush(nowNanos: now, stateNow: 2000) { frame in
                backup.receive(frame, nowNanos: now, stateNow: 2000) { _ in }
            }
        }
        benchmark.stopMeasurement()
        let bytes = primary.currentCounters[.bytesSent] - bytesBefore
        benchmark.measurement(wireBytesPerUpdate, Int(bytes) / max(updates, 1))
    } setup: {
        pair(count: 100_000)
    }

    Benchmark(
        "bulk update of 1M states, primary+backup on 1 thread (states)",
        configuration: .init(metrics: [.throughput, .wallClock, wireBytesPerBulkState], scalingFactor: .mega, maxIterations: 3)
    ) { (benchmark: Benchmark, tables: (StateTable, StateTable)) in
        let (primaryTable, backupTable) = tables
        var config = EngineConfig(nodeID: 1, epoch: 1)
        config.requestBulkOnStart = false
        config.bulkStatesPerTick = 65_536
        let primary = ReplicationEngine(config: config, table: primaryTable, key: key)
        let backup = ReplicationEngine(config: EngineConfig(nodeID: 2, epoch: 1), table: backupTable, key: key)
        var toPrimary: [[UInt8]] = []
        var now: UInt64 = 1_000_000_000
        benchmark.startMeasurement()
        backup.start(nowNanos: now) { toPrimary.append(Array($0)) }
        while backup.status.bulk.incoming != .done {
            now += 1_000_000
            for datagram in toPrimary {
                datagram.withUnsafeBytes { bytes in
                    primary.receive(bytes, nowNanos: now, stateNow: 2000) { frame in
                        backup.receive(frame, nowNanos: now, stateNow: 2000) { _ in }
                    }
                }
            }
            toPrimary.removeAll()
            primary.tick(nowNanos: now, stateNow: 2000) { frame in
                backup.receive(frame, nowNanos: now, stateNow: 2000) { toPrimary.append(Array($0)) }
            }
        }
        benchmark.stopMeasurement()
        precondition(backupTable.count == primaryTable.count, "bulk did not copy the whole table")
        benchmark.measurement(wireBytesPerBulkState, Int(primary.currentCounters[.bytesSent]) / primaryTable.count)
    } setup: { () -> (StateTable, StateTable) in
        let primaryTable = StateTable()
        for index in 0..<1_000_000 { primaryTable.insert(state(index), recordChange: false) }
        return (primaryTable, StateTable())
    }
}
