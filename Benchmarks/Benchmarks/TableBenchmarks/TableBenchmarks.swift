import Benchmark
import PFSyncCore
import Synchronization

/// A deterministic generator (SplitMix64) so every run does the same work.
struct SplitMix: Sendable {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let tableSize = 1_000_000

func makeState(_ index: Int) -> PFState {
    let client = IPAddress(ipv4: 0x0A00_0000 | UInt32(truncatingIfNeeded: index & 0xFF_FFFF))
    let server = IPAddress(ipv4: 0xC000_0201)
    let key = StateKey(addr0: client, addr1: server, port0: UInt16(truncatingIfNeeded: 1024 + index % 50_000), port1: 443)
    var state = PFState(identity: StateID(id: UInt64(index) &* 0x9E37_79B9 | 1, creatorID: 7), proto: 6, wireKey: key)
    state.expire = 86_400
    return state
}

/// Builds a table with `tableSize` states, changes drained.
func filledTable() -> StateTable {
    let table = StateTable(initialCapacityPerShard: tableSize / 8)
    for index in 0..<tableSize { table.insert(makeState(index), recordChange: false) }
    return table
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)
    Benchmark.defaultConfiguration.maxIterations = 20

    Benchmark(
        "StateTable random update by id, 1M states, 1 thread",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .mega)
    ) { benchmark, table in
        var random = SplitMix(state: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = Int(random.next() % UInt64(tableSize))
            let id = StateID(id: UInt64(index) &* 0x9E37_79B9 | 1, creatorID: 7)
            table.update(id) { state in
                state.packets.forward &+= 1
                state.bytes.forward &+= 1400
            }
        }
        benchmark.stopMeasurement()
        var deltas: [StateDelta] = []
        for shard in 0..<table.shardCount { table.drainChanges(shard: shard, into: &deltas); deltas.removeAll(keepingCapacity: true) }
    } setup: {
        filledTable()
    }

    Benchmark(
        "StateTable random update by id, 1M states, 2 threads",
        configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .mega)
    ) { benchmark, table in
        let perThread = benchmark.scaledIterations.count
        benchmark.startMeasurement()
        let threads = (0..<2).map { seed in
            Thread {
                var random = SplitMix(state: UInt64(seed) + 11)
                for _ in 0..<perThread / 2 {
                    let index = Int(random.next() % UInt64(tableSize))
                    let id = StateID(id: UInt64(index) &* 0x9E37_79B9 | 1, creatorID: 7)
                    table.update(id) { state in state.packets.forward &+= 1 }
                }
            }
        }
        threads.forEach { $0.join() }
        benchmark.stopMeasurement()
    } setup: {
        filledTable()
    }

    Benchmark(
        "StateTable random lookup by key, 1M states, 1 thread",
        configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .mega)
    ) { benchmark, table in
        var random = SplitMix(state: 3)
        var found = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let state = makeState(Int(random.next() % UInt64(tableSize)))
            if table.stateID(forKey: state.wireLookupKey) != nil { found += 1 }
        }
        blackHole(found)
    } setup: {
        filledTable()
    }

    Benchmark(
        "StateTable insert 1M states",
        configuration: .init(metrics: [.throughput, .wallClock, .peakMemoryResident], scalingFactor: .mega, maxIterations: 3)
    ) { benchmark in
        let table = StateTable()
        for index in benchmark.scaledIterations { table.insert(makeState(index)) }
        blackHole(table.count)
    }
}
