import PFSyncCore
@testable import PFSyncWire
@testable import PFSyncReplication

/// A primary and a backup joined like two daemons on one link, where the backup is the
/// slow side: what the primary sends waits in the backup's socket buffer (room for
/// `bufferFrames` datagrams; more are dropped, as the kernel drops them), and the backup
/// reads at most `framesPerTick` datagrams per tick. What the backup sends arrives at once.
/// A writer changes `updatesPerTick` random states of the primary's table each tick.
final class SlowPeerLink {
    let primary: ReplicationEngine
    let backup: ReplicationEngine
    let bufferFrames: Int
    let framesPerTick: Int
    var now: UInt64 = 1_000_000
    let stateNow: UInt32 = 1000
    private var socketBuffer: [[UInt8]] = []
    private var toPrimary: [[UInt8]] = []
    private var random = SplitMix(seed: 77)
    /// Datagrams the backup's full socket buffer dropped.
    private(set) var dropped = 0
    /// The most datagrams its socket buffer ever held, and the most DATA frames among them
    /// (the others are ACKs, keepalives and HELLOs).
    private(set) var deepest = 0
    private(set) var deepestData = 0
    /// Table changes the writer made.
    private(set) var written = 0
    /// False until the backup runs: what is sent to it meanwhile goes nowhere.
    private(set) var backupRunning = false

    /// `backupReceiveWindow`: the receive window the backup says in its HELLO (0: none);
    /// `backupAckDelayNanos`: how long the backup may hold an ACK back.
    init(
        states: Int, maxFramesInFlight: UInt64, bufferFrames: Int, framesPerTick: Int, startBackup: Bool = true,
        backupReceiveWindow: UInt64 = 0, backupAckDelayNanos: UInt64 = 0
    ) {
        self.bufferFrames = bufferFrames
        self.framesPerTick = framesPerTick
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.maxFramesInFlight = maxFramesInFlight
        primaryConfig.gapTimeoutNanos = 200_000_000
        var backupConfig = EngineConfig(nodeID: 2, epoch: 20)
        backupConfig.gapTimeoutNanos = 200_000_000
        backupConfig.receiveWindowFrames = backupReceiveWindow
        backupConfig.ackDelayNanos = backupAckDelayNanos
        primary = ReplicationEngine(config: primaryConfig, table: StateTable(shardCount: 4), key: EngineSimulationTests.key)
        backup = ReplicationEngine(config: backupConfig, table: StateTable(shardCount: 4), key: EngineSimulationTests.key)
        for index in 0..<states {
            primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: true)
        }
        primary.start(nowNanos: now) { self.toBackup($0) }
        if startBackup { self.startBackup() }
    }

    /// Starts the backup (it says HELLO and asks for a bulk update); the HELLO arrives at
    /// once, before the primary's next tick.
    func startBackup() {
        backupRunning = true
        backup.start(nowNanos: now) { self.toPrimary.append(Array($0)) }
        deliverToPrimary()
    }

    private func toBackup(_ bytes: UnsafeRawBufferPointer) {
        guard backupRunning else { return }
        guard socketBuffer.count < bufferFrames else {
            dropped += 1
            return
        }
        socketBuffer.append(Array(bytes))
        deepest = max(deepest, socketBuffer.count)
        deepestData = max(deepestData, socketBuffer.count { $0[SyncFrameLayout.Offset.kind] == SyncFrameKind.data.rawValue })
    }

    /// Runs `ticks` ticks of 2 ms, the writer changing `updatesPerTick` states in each.
    func run(ticks: Int, updatesPerTick: Int) {
        let states = primary.table.count
        for _ in 0..<ticks {
            now += 2_000_000
            for _ in 0..<updatesPerTick {
                let index = Int(random.next() % UInt64(states))
                let id = StateID(id: UInt64(index) << 16 | 0xAB, creatorID: 1)
                if primary.table.update(id, { $0.packets.forward &+= 1 }) != nil { written += 1 }
            }
            primary.tick(nowNanos: now, stateNow: stateNow) { self.toBackup($0) }
            let reading = min(framesPerTick, socketBuffer.count)
            for frame in socketBuffer.prefix(reading) {
                frame.withUnsafeBytes {
                    backup.receive($0, nowNanos: now, stateNow: stateNow) { self.toPrimary.append(Array($0)) }
                }
            }
            socketBuffer.removeFirst(reading)
            // As the transport does once it has read a burst.
            backup.acknowledgeDelivered(nowNanos: now) { self.toPrimary.append(Array($0)) }
            if backupRunning {
                backup.tick(nowNanos: now, stateNow: stateNow) { self.toPrimary.append(Array($0)) }
            }
            deliverToPrimary()
        }
    }

    /// Hands the primary what the backup sent (and what that makes it send back).
    private func deliverToPrimary() {
        while !toPrimary.isEmpty {
            let answers = toPrimary
            toPrimary = []
            for frame in answers {
                frame.withUnsafeBytes {
                    primary.receive($0, nowNanos: now, stateNow: stateNow) { self.toBackup($0) }
                }
            }
        }
    }

    /// States whose forward packet count differs between the two tables (or that the
    /// backup lacks).
    func differences() -> Int {
        var differing = 0
        for state in primary.table.allStates() {
            guard let copy = backup.table.state(for: state.identity), copy.packets == state.packets else {
                differing += 1
                continue
            }
        }
        return differing + max(0, backup.table.count - primary.table.count)
    }
}
