/// One coalesced change of one state, as ``StateTable/drainChanges(shard:into:)`` hands it
/// to replication: what pfsync would send for the state at its next flush.
public struct StateDelta: Sendable, Hashable {
    /// The kind of message the change becomes.
    public enum Kind: UInt8, Sendable {
        /// The peer has not seen the state yet (pfsync INS).
        case insert
        /// The peer knows the state; it changed (pfsync UPD / UPD_C).
        case update
        /// The peer knows the state; it is gone (pfsync DEL_C).
        case delete
    }

    /// The kind.
    public var kind: Kind
    /// For insert and update: the state as it was when drained. For delete: the state as it
    /// was when it was removed.
    public var state: PFState
    /// How many recorded changes were coalesced into this delta (an insert counts as one,
    /// each update as one, and a delete as one: k updates then a delete give k + 1).
    public var changes: UInt32

    /// Creates a delta.
    @inlinable
    public init(kind: Kind, state: PFState, changes: UInt32) {
        self.kind = kind
        self.state = state
        self.changes = changes
    }
}

/// What ``StateTable/insert(_:recordChange:)`` did.
public enum InsertOutcome: Sendable, Hashable {
    /// The state was added.
    case inserted
    /// A state with the same id is already in the table; nothing changed.
    case duplicateID
    /// The state's wire or stack lookup key is already indexed by the state with the given
    /// id; nothing changed.
    case keyConflict(StateID)
}
