import PFSyncConfig
import PFSyncReplication

extension DaemonPlan {
    /// Plain pfsync mode's own requirements: a sync interface (FreeBSD ignores pfsync input
    /// without a sync device; it is what `badif` checks) and the right to open a raw socket.
    static func checkPlainPFSync(_ sync: SyncConfig) throws(SyncSetupError) {
        guard sync.interface != nil else {
            throw SyncSetupError(
                "config: sync.interface: is required in pfsync mode (the sync device; input from other interfaces is badif)")
        }
        try RawSocketPreflight.check()
    }

    /// Engine settings for plain pfsync: UPD_C without counters, a bulk request repeated
    /// every 2 s (pfsync: 2 to 5 s, 12 tries), and bulk updates paced at four packets per
    /// tick, since nothing is retransmitted.
    static func adaptToPlainPFSync(_ engine: inout EngineConfig) {
        engine.replicateCounters = false
        engine.bulkRetryNanos = 2_000_000_000
        engine.bulkMaxTries = 12
        let statesPerPacket = max(1, (engine.maxDatagramSize - 28) / engine.stateEncoding.stateSize)
        engine.bulkStatesPerTick = 4 * statesPerPacket
    }
}
