import PFSyncCore

/// What applying full states did, counted in locals and added to the engine's counters
/// once per run of states (a bulk update applies hundreds of thousands of them).
struct FullStateTally {
    /// What applying one full state did.
    enum Outcome {
        /// Merged into the state we had.
        case updated
        /// Added as a new state.
        case inserted
        /// Refused: another state holds one of its keys (counted as `badstate`).
        case keyConflict
    }

    private var updated: UInt64 = 0
    private var inserted: UInt64 = 0
    private var conflicts: UInt64 = 0
    /// New states per creator: the current creator's run, then the finished ones.
    private var creator: UInt32 = 0
    private var creatorRun: UInt64 = 0
    private var otherCreators: [UInt32: UInt64] = [:]

    mutating func add(_ outcome: Outcome, creator id: UInt32) {
        switch outcome {
        case .updated:
            updated &+= 1
        case .keyConflict:
            conflicts &+= 1
        case .inserted:
            inserted &+= 1
            if creatorRun > 0, id != creator {
                otherCreators[creator, default: 0] &+= creatorRun
                creatorRun = 0
            }
            creator = id
            creatorRun &+= 1
        }
    }

    /// Adds the tally to `counters` (`statesUpdated`, `statesCreated`, `badstate`, and
    /// new states by creator).
    func flush(into counters: inout ReplicationCounters) {
        if updated > 0 { counters[.statesUpdated] += updated }
        if conflicts > 0 { counters[.badstate] += conflicts }
        guard inserted > 0 else { return }
        counters[.statesCreated] += inserted
        if creatorRun > 0 { counters.statesByCreator[creator, default: 0] += creatorRun }
        for (id, count) in otherCreators { counters.statesByCreator[id, default: 0] += count }
    }
}
