/// Reusable scratch space for ``StateTable/updateWithBases(count:id:scratch:_:)``: the
/// caller keeps one and passes it to every call, so that a batch allocates nothing once
/// the arrays have grown to the largest batch.
public struct StateBatchScratch {
    var hashes: [UInt64] = []
    var order: [Int32] = []
    var slots: [Int32] = []
    var shardEnds: [Int32] = []

    /// Empty scratch space.
    public init() {}
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
