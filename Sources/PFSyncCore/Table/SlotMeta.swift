/// Per-slot bookkeeping beside a shard's state slab: liveness, the free list, and the
/// pending (undrained) change of the state in the slot.
@usableFromInline
struct SlotMeta {
    /// What the peer has not been told yet about the state in this slot.
    @usableFromInline
    enum Pending: UInt8 {
        case none = 0
        case insert = 1
        case update = 2
    }

    /// Recorded changes coalesced into the pending delta.
    @usableFromInline var changes: UInt32
    /// Next free slot (free list link), -1 at the end.
    @usableFromInline var nextFree: Int32
    /// The pending change.
    @usableFromInline var pending: Pending
    /// The slot holds a state.
    @usableFromInline var isLive: Bool
    /// The slot index is in the shard's changed-slots list (it may stay there after the
    /// pending change was dropped; a drain skips such entries).
    @usableFromInline var isListed: Bool
    /// The state came whole from the replication peer (an INS or full UPD it sent, a bulk
    /// state) and has not been changed here since: the peer holds it as it is (see
    /// ``StateTable/clearPeerMarks()``).
    @usableFromInline var isFromPeer: Bool

    @inlinable
    init() {
        changes = 0
        nextFree = -1
        pending = .none
        isLive = false
        isListed = false
        isFromPeer = false
    }
}
