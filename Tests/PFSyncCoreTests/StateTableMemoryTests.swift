import Testing
@testable import PFSyncCore

/// The table's memory accounting.
@Suite struct StateTableMemoryTests {
    /// Bound on bytes per state: a state is 384 bytes in the slab plus 12 of slot
    /// bookkeeping, 256 of delta bases (sent and received), 16 per id-index bucket and 64 per key-index bucket (two keys), with
    /// every buffer grown by doubling (so up to 2x) and indexes at most 3/4 full.
    static let bytesPerStateBound = 1280

    @Test func footprintPerStateStaysWithinTheDocumentedBound() {
        let table = StateTable(shardCount: 8, initialCapacityPerShard: 1024, hashSeed: 11)
        let empty = table.memoryFootprint
        #expect(empty > 0)
        var inserted = 0
        for number in 0..<100_000 {
            let state = TableFixtures.state(
                id: UInt64(number), wire: TableFixtures.key(number, port: 2 * (number >> 16)),
                stack: TableFixtures.key(number, port: 2 * (number >> 16) + 1))
            if table.insert(state, recordChange: false) == .inserted { inserted += 1 }
        }
        #expect(inserted == 100_000)
        #expect(table.count == 100_000)
        let footprint = table.memoryFootprint
        #expect(footprint >= 100_000 * MemoryLayout<PFState>.stride, "the slabs alone need this")
        #expect(footprint / table.count < Self.bytesPerStateBound)
    }

    /// A key-index bucket is one whole cache line and starts on one, in small buffers
    /// (the C allocator's) as in huge-page ones, so a probe touches one line per bucket.
    @Test func keyIndexBucketsAreWholeAlignedCacheLines() {
        #expect(MemoryLayout<KeyIndex.Entry>.stride == TableMemory.cacheLineSize)
        for count in [1, 3, 100, 9_000, 40_000] {
            let buffer = TableMemory.allocate(KeyIndex.Entry.self, count: count)
            defer { TableMemory.free(buffer) }
            #expect(Int(bitPattern: buffer) % TableMemory.cacheLineSize == 0, "\(count) buckets")
        }
    }

    @Test func aReservedTableTakesItsStatesWithoutGrowing() {
        let table = StateTable(shardCount: 4, reservingStates: 40_000, hashSeed: 12)
        let reserved = table.memoryFootprint
        #expect(reserved >= 40_000 * MemoryLayout<PFState>.stride)
        for number in 0..<40_000 {
            let state = TableFixtures.state(
                id: UInt64(number), wire: TableFixtures.key(number, port: 2 * (number >> 16)),
                stack: TableFixtures.key(number, port: 2 * (number >> 16) + 1))
            #expect(table.insert(state, recordChange: false) == .inserted)
        }
        #expect(table.count == 40_000)
        #expect(table.memoryFootprint == reserved, "no buffer grew")
    }

    /// A reserved table's fresh slots are not written with empty bases (their zeroed
    /// memory already has epoch 0): every stored state must still start with no base on
    /// either side, in a fresh slot, in a reused one, and in a slab that grew.
    @Test func everyStoredStateStartsWithoutBases() {
        let table = StateTable(shardCount: 1, reservingStates: 64, hashSeed: 13)
        func state(_ number: Int, generation: UInt64 = 0) -> PFState {
            TableFixtures.state(id: UInt64(number) | generation << 32, wire: TableFixtures.key(number, port: number))
        }
        func epochs(_ id: StateID) -> [UInt32?] {
            [ReplicationBase.Side.sent, .received].map { side in table.updateWithBase(id, side: side) { _, base in base.epoch } }
        }
        func setBases(_ id: StateID) {
            for side in [ReplicationBase.Side.sent, .received] {
                table.updateWithBase(id, side: side) { _, base in base = ReplicationBase(version: 3, epoch: 77) }
            }
        }
        let capacity = 64 + 64 / 8 + 64
        for number in 0..<20 {
            #expect(table.insert(state(number), recordChange: false) == .inserted)
            #expect(epochs(state(number).identity) == [0, 0], "fresh slot \(number)")
            setBases(state(number).identity)
            #expect(epochs(state(number).identity) == [77, 77])
        }
        // Reused slots (the free list) held bases of epoch 77.
        for number in 0..<10 {
            #expect(table.remove(state(number).identity, recordChange: false) != nil)
            #expect(table.insert(state(number, generation: 1), recordChange: false) == .inserted)
            #expect(epochs(state(number, generation: 1).identity) == [0, 0], "reused slot \(number)")
        }
        // Past the reservation the slab grows into memory that was never cleared.
        for number in 20..<(3 * capacity) {
            #expect(table.insert(state(number), recordChange: false) == .inserted)
            #expect(epochs(state(number).identity) == [0, 0], "fresh slot after growth \(number)")
            setBases(state(number).identity)
        }
        for number in 20..<(3 * capacity) where number % 3 == 0 {
            #expect(table.remove(state(number).identity, recordChange: false) != nil)
            #expect(table.insert(state(number, generation: 2), recordChange: false) == .inserted)
            #expect(epochs(state(number, generation: 2).identity) == [0, 0], "slot reused after growth \(number)")
        }
        #expect(table.invariantViolations() == [])
    }
}

/// Where a state's fields sit in memory: what replication touches must stay within the
/// first two cache lines of a state, and states must start on a line.
@Suite struct StateLayoutTests {
    @Test func statesAreWholeCacheLines() {
        #expect(MemoryLayout<PFState>.stride % 64 == 0)
        #expect(MemoryLayout<PFState>.alignment <= 64)
    }

    @Test func aReplicatedUpdateTouchesOnlyTheFirstTwoLines() {
        #expect(StateLines.first == 0)
        #expect(StateLines.end <= 128, "identity, peers, expiry, timeout, protocol and counters")
        let proto = MemoryLayout<PFState>.offset(of: \PFState.proto) ?? Int.max
        #expect(proto < StateLines.end, "the merge reads the protocol")
    }
}
