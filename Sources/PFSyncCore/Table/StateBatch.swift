/// Reusable scratch space for ``StateTable/updateWithBases(count:id:scratch:_:)``: the
/// caller keeps one and passes it to every call, so that a batch allocates nothing once
/// the arrays have grown to the largest batch.
public struct StateBatchScratch {
    var hashes: [UInt64] = []
    var order: [Int32] = []
    var slots: [Int32] = []
    /// Per step in flight (a ring of `steps`), per shard: where the shard's items end in
    /// `order` (after planning: running ends, see ``StateBatchBuffers/items(step:shard:)``).
    var shardEnds: [Int32] = []
    var shards = 0
    var steps = 0

    /// Empty scratch space.
    public init() {}

    /// Sizes the arrays for `count` items over `shards` shards and `steps` steps in flight.
    mutating func prepare(count: Int, shards: Int, steps: Int) {
        if hashes.count < count {
            hashes = [UInt64](repeating: 0, count: count)
            order = [Int32](repeating: 0, count: count)
            slots = [Int32](repeating: 0, count: count)
        }
        if shardEnds.count != shards * steps {
            shardEnds = [Int32](repeating: 0, count: shards * steps)
        }
        self.shards = shards
        self.steps = steps
    }

    /// Runs `body` with the arrays as raw buffers (no bounds or uniqueness checks per item:
    /// the batch code indexes only what ``prepare(count:shards:steps:)`` sized).
    mutating func withBuffers<R>(_ body: (StateBatchBuffers) -> R) -> R {
        let (shards, steps) = (self.shards, self.steps)
        return hashes.withUnsafeMutableBufferPointer { hashes in
            order.withUnsafeMutableBufferPointer { order in
                slots.withUnsafeMutableBufferPointer { slots in
                    shardEnds.withUnsafeMutableBufferPointer { ends in
                        body(StateBatchBuffers(
                            hashes: hashes.baseAddress!, order: order.baseAddress!, slots: slots.baseAddress!,
                            shardEnds: ends.baseAddress!, shards: shards, steps: steps))
                    }
                }
            }
        }
    }
}

/// The scratch arrays of one batch, as pointers (internal to the table).
struct StateBatchBuffers {
    /// Per item: the hash of its id.
    let hashes: UnsafeMutablePointer<UInt64>
    /// Positions grouped by shard within each step: the item at each position.
    let order: UnsafeMutablePointer<Int32>
    /// Per position: the slot found for its item (-1: none).
    let slots: UnsafeMutablePointer<Int32>
    let shardEndsBase: UnsafeMutablePointer<Int32>
    let shards: Int
    let steps: Int

    init(
        hashes: UnsafeMutablePointer<UInt64>, order: UnsafeMutablePointer<Int32>, slots: UnsafeMutablePointer<Int32>,
        shardEnds: UnsafeMutablePointer<Int32>, shards: Int, steps: Int
    ) {
        self.hashes = hashes
        self.order = order
        self.slots = slots
        self.shardEndsBase = shardEnds
        self.shards = shards
        self.steps = steps
    }

    /// The shard ends of `step` (its place in the ring).
    @inline(__always)
    func shardEnds(step: Int) -> UnsafeMutablePointer<Int32> {
        shardEndsBase + (step % steps) * shards
    }

    /// Positions in `order` of `step`'s items in `shard`.
    @inline(__always)
    func items(step: Int, shard: Int) -> Range<Int> {
        let ends = shardEnds(step: step)
        let end = Int(ends[shard])
        let start = shard == 0 ? step * StateTable.batchStep : Int(ends[shard - 1])
        return start..<end
    }
}

/// Where in a ``PFState`` a replication update reads and writes: the lines to prefetch.
enum StateLines {
    /// Offset of the first byte a replication update touches.
    static let first: Int = min(
        MemoryLayout<PFState>.offset(of: \PFState.identity) ?? 0,
        MemoryLayout<PFState>.offset(of: \PFState.src) ?? 0,
        MemoryLayout<PFState>.offset(of: \PFState.expire) ?? 0,
        MemoryLayout<PFState>.offset(of: \PFState.packets) ?? 0)
    /// Offset just past the last byte a replication update touches.
    static let end: Int = max(
        (MemoryLayout<PFState>.offset(of: \PFState.dst) ?? 0) + MemoryLayout<StatePeer>.size,
        (MemoryLayout<PFState>.offset(of: \PFState.bytes) ?? 0) + MemoryLayout<CounterPair>.size,
        (MemoryLayout<PFState>.offset(of: \PFState.timeout) ?? 0) + 1,
        (MemoryLayout<PFState>.offset(of: \PFState.proto) ?? 0) + 1,
        (MemoryLayout<PFState>.offset(of: \PFState.expire) ?? 0) + 4)
}
