import PFSyncCore
import PFSyncWire
@testable import PFSyncReplication

/// Two engines joined directly: every datagram is delivered, in order, one batch after the
/// other (an engine is never re-entered from its own send). Time moves 2 ms per tick.
final class DirectEnginePair {
    let primary: ReplicationEngine
    let backup: ReplicationEngine
    var now: UInt64 = 1_000_000
    let stateNow: UInt32 = 1000
    var toBackup: [[UInt8]] = []
    var toPrimary: [[UInt8]] = []

    /// A primary that asks for no bulk and a backup that does, both started; with
    /// `settleAtStart`, everything they said at start-up is delivered before returning.
    init(primaryConfig: EngineConfig? = nil, backupConfig: EngineConfig? = nil, settleAtStart: Bool = true) {
        var defaultPrimary = EngineConfig(nodeID: 1, epoch: 10)
        defaultPrimary.requestBulkOnStart = false
        primary = ReplicationEngine(
            config: primaryConfig ?? defaultPrimary, table: StateTable(shardCount: 2), key: EngineSimulationTests.key)
        backup = ReplicationEngine(
            config: backupConfig ?? EngineConfig(nodeID: 2, epoch: 20), table: StateTable(shardCount: 2),
            key: EngineSimulationTests.key)
        primary.start(nowNanos: now) { self.toBackup.append(Array($0)) }
        backup.start(nowNanos: now) { self.toPrimary.append(Array($0)) }
        if settleAtStart { settle() }
    }

    /// A pair for watching a bulk: the primary answers bulk requests 100 states a tick and
    /// asks for none itself; nothing said at start-up is delivered yet (the backup's own
    /// bulk request included).
    static func slowBulkPair() -> DirectEnginePair {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.bulkStatesPerTick = 100
        return DirectEnginePair(primaryConfig: primaryConfig, settleAtStart: false)
    }

    /// `ticks` times: both engines tick, then everything in flight is delivered, both ways,
    /// until nothing moves; `afterDelivery` runs after each delivered batch.
    func settle(ticks: Int = 20, afterDelivery: () -> Void = {}) {
        for _ in 0..<ticks {
            now += 2_000_000
            primary.tick(nowNanos: now, stateNow: stateNow) { self.toBackup.append(Array($0)) }
            backup.tick(nowNanos: now, stateNow: stateNow) { self.toPrimary.append(Array($0)) }
            while !toBackup.isEmpty || !toPrimary.isEmpty {
                let forward = toBackup
                let backward = toPrimary
                toBackup = []
                toPrimary = []
                for frame in forward {
                    frame.withUnsafeBytes { backup.receive($0, nowNanos: now, stateNow: stateNow) { self.toPrimary.append(Array($0)) } }
                }
                for frame in backward {
                    frame.withUnsafeBytes { primary.receive($0, nowNanos: now, stateNow: stateNow) { self.toBackup.append(Array($0)) } }
                }
                afterDelivery()
            }
        }
    }

    /// Delta updates the primary has sent.
    func deltasSent() -> UInt64 { primary.currentCounters.actionsOut[ReplicationCounters.deltaUpdateActionIndex] }
}
