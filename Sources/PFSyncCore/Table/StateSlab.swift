import CMemoryHints
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shard's states in one unsafe allocation, addressed by slot index, with a free list.
///
/// Slot indices are stable for a state's lifetime (growth copies the slab to a buffer twice
/// as large at the same indices), which makes them usable as change-log entries and as
/// bulk-transfer cursors. Slots below ``highWater`` have been used at least once.
///
/// Owned by the enclosing shard storage, which calls `deallocate()` from its deinit;
/// other copies are only views. (Not `~Copyable` with a deinit of its own: the Swift 6.3
/// optimiser crashes inlining such a deinit into a `@usableFromInline` setter.)
@usableFromInline
struct StateSlab {
    @usableFromInline var states: UnsafeMutablePointer<PFState>
    @usableFromInline var meta: UnsafeMutablePointer<SlotMeta>
    /// Each slot's two delta-encoding bases (see ``ReplicationBase``), side by side: the
    /// sent one at `2 * slot`, the received one at `2 * slot + 1`.
    @usableFromInline var bases: UnsafeMutablePointer<ReplicationBase>
    @usableFromInline var capacity: Int
    /// Slots 0..<highWater have been handed out at least once.
    @usableFromInline var highWater: Int
    /// Head of the free list (-1 when empty).
    @usableFromInline var freeHead: Int32
    /// Live states.
    @usableFromInline var liveCount: Int
    /// True when every slot from ``highWater`` on is still all zero bytes (``prefault()``
    /// cleared the buffers and nothing grew them since). A zeroed base has epoch 0, which
    /// is "no base" (``ReplicationBase/isValid(in:)``), so storing into such a slot need
    /// not write its two bases: four cache lines less per state a bulk update inserts.
    @usableFromInline var freshSlotsZeroed: Bool
    /// ``StateLines`` read once: as globals they cost a `swift_once` check per use, and
    /// the prefetch loops run per replicated update.
    @usableFromInline let replicatedFirst: Int
    @usableFromInline let replicatedEnd: Int

    /// Largest slot count a shard may reach (slot indices are stored as 32-bit numbers).
    static let maximumCapacity = 1 << 30

    init(capacity: Int) {
        let room = min(max(capacity, 16), Self.maximumCapacity)
        states = TableMemory.allocate(PFState.self, count: room)
        meta = TableMemory.allocate(SlotMeta.self, count: room)
        bases = TableMemory.allocate(ReplicationBase.self, count: 2 * room)
        self.capacity = room
        highWater = 0
        freeHead = -1
        liveCount = 0
        freshSlotsZeroed = false
        replicatedFirst = StateLines.first
        replicatedEnd = StateLines.end
    }

    /// Touches every page of the slab's buffers now (the kernel zero-fills a page on its
    /// first touch; done at start-up, that cost is not paid during a bulk update).
    /// (memset, which leaves the memory's binding alone.)
    mutating func prefault() {
        memset(states, 0, capacity * MemoryLayout<PFState>.stride)
        memset(meta, 0, capacity * MemoryLayout<SlotMeta>.stride)
        memset(bases, 0, 2 * capacity * MemoryLayout<ReplicationBase>.stride)
        freshSlotsZeroed = highWater == 0 && freeHead < 0
    }

    /// The base of `slot` on `side`.
    @inlinable @inline(__always)
    func base(_ slot: Int, _ side: ReplicationBase.Side) -> UnsafeMutablePointer<ReplicationBase> {
        bases + (2 &* slot &+ (side == .sent ? 0 : 1))
    }

    /// Starts loading what replicating `slot` touches: the state's replicated fields
    /// (``StateLines``; for writing when `stateForWrite`, as an apply does, for reading as
    /// a drain does) and its base on `side` (two whole lines, always written).
    @inline(__always)
    func prefetchReplicated(_ slot: Int, _ side: ReplicationBase.Side, stateForWrite: Bool) {
        let state = UnsafeRawPointer(states + slot)
        var offset = replicatedFirst
        while offset < replicatedEnd {
            if stateForWrite { pfsyncd_prefetch_for_write(state + offset) } else { pfsyncd_prefetch(state + offset) }
            offset &+= 64
        }
        let base = UnsafeRawPointer(base(slot, side))
        pfsyncd_prefetch_for_write(base)
        pfsyncd_prefetch_for_write(base + (MemoryLayout<ReplicationBase>.size - 1))
    }

    /// Frees the allocations.
    func deallocate() {
        TableMemory.free(states)
        TableMemory.free(meta)
        TableMemory.free(bases)
    }

    /// Stores `state` in a free slot (reusing freed slots first) and returns the slot.
    /// The slot's pending change is reset to none.
    @inlinable
    mutating func store(_ state: PFState) -> Int {
        let slot: Int
        let basesAreNone: Bool
        if freeHead >= 0 {
            slot = Int(freeHead)
            freeHead = meta[slot].nextFree
            basesAreNone = false
        } else {
            if highWater == capacity { grow() }
            slot = highWater
            highWater &+= 1
            (meta + slot).initialize(to: SlotMeta())
            basesAreNone = freshSlotsZeroed
        }
        // The slot a later store will take is cold (a bulk update fills slot after slot of
        // memory nobody touched lately): start loading its lines now, so that those
        // stores hit the cache instead of waiting, and the next lock's fence with them.
        if freeHead >= 0 {
            prefetchForStore(Int(freeHead), bases: true)
        } else if highWater &+ Self.storeAhead < capacity {
            prefetchForStore(highWater &+ Self.storeAhead, bases: !freshSlotsZeroed)
        }
        (states + slot).initialize(to: state)
        if !basesAreNone { (bases + 2 &* slot).initialize(repeating: .none, count: 2) }
        meta[slot].isLive = true
        meta[slot].pending = .none
        meta[slot].changes = 0
        meta[slot].isFromPeer = false
        liveCount &+= 1
        return slot
    }

    /// How many fresh slots ahead of the next one ``store(_:)`` prefetches.
    @usableFromInline static let storeAhead = 4

    /// Starts loading, for writing, every line ``store(_:)`` writes for `slot`: the state,
    /// both bases (when `bases`) and the slot's meta.
    @inlinable @inline(__always)
    func prefetchForStore(_ slot: Int, bases withBases: Bool) {
        let state = UnsafeRawPointer(states + slot)
        var offset = 0
        while offset < MemoryLayout<PFState>.stride {
            pfsyncd_prefetch_for_write(state + offset)
            offset &+= 64
        }
        if withBases {
            let base = UnsafeRawPointer(bases + 2 &* slot)
            offset = 0
            while offset < 2 &* MemoryLayout<ReplicationBase>.stride {
                pfsyncd_prefetch_for_write(base + offset)
                offset &+= 64
            }
        }
        pfsyncd_prefetch_for_write(meta + slot)
    }

    /// Frees `slot` (which must be live); its state's identity becomes 0/0.
    @inlinable
    mutating func free(_ slot: Int) {
        // A freed slot's state keeps its bytes but loses its identity (0/0, which no live
        // state has), so that an identity check alone tells a live slot from a freed one.
        states[slot].identity = .bulkRequest
        meta[slot].isLive = false
        meta[slot].pending = .none
        meta[slot].changes = 0
        meta[slot].nextFree = freeHead
        freeHead = Int32(truncatingIfNeeded: slot)
        liveCount &-= 1
    }

    /// Doubles the slab.
    @usableFromInline
    mutating func grow() {
        precondition(capacity < Self.maximumCapacity, "state table shard is full")
        let newCapacity = capacity * 2
        let newStates = TableMemory.allocate(PFState.self, count: newCapacity)
        let newMeta = TableMemory.allocate(SlotMeta.self, count: newCapacity)
        let newBases = TableMemory.allocate(ReplicationBase.self, count: 2 * newCapacity)
        newStates.moveInitialize(from: states, count: highWater)
        newMeta.moveInitialize(from: meta, count: highWater)
        newBases.moveInitialize(from: bases, count: 2 * highWater)
        TableMemory.free(states)
        TableMemory.free(meta)
        TableMemory.free(bases)
        states = newStates
        meta = newMeta
        bases = newBases
        capacity = newCapacity
        freshSlotsZeroed = false
    }

    /// Bytes allocated.
    var allocatedBytes: Int {
        capacity
            * (MemoryLayout<PFState>.stride + MemoryLayout<SlotMeta>.stride + 2 * MemoryLayout<ReplicationBase>.stride)
    }
}
