import PFSyncCore
import PFSyncWire
import Testing
@testable import PFSyncReplication

/// Delayed ACKs: towards a peer whose HELLO says it takes them, a receiver acknowledges a
/// light trickle of frames together, once the first has waited the configured delay, and
/// says in the ACK how long it held it back; the sender leaves that out of its lag. Under
/// load (an eighth of the receive window waiting) the ACK goes at once.
@Suite struct AckDelayTests {
    static let delay: UInt64 = 10_000_000

    /// A pair whose backup may hold ACKs back 10 ms and says a receive window of 64 frames
    /// (so 8 waiting frames are acknowledged at once); start-up settled.
    static func pair() -> DirectEnginePair {
        var backup = EngineConfig(nodeID: 2, epoch: 20)
        backup.ackDelayNanos = delay
        backup.receiveWindowFrames = 64
        return DirectEnginePair(backupConfig: backup)
    }

    /// Inserts a state at the primary and has it flushed; returns the DATA frame(s).
    static func flushOneInsert(_ pair: DirectEnginePair, index: Int) -> [[UInt8]] {
        var random = SplitMix(seed: UInt64(index))
        pair.primary.table.insert(EngineSimulationTests.state(index, random: &random), recordChange: true)
        pair.primary.tick(nowNanos: pair.now, stateNow: pair.stateNow) { pair.toBackup.append(Array($0)) }
        defer { pair.toBackup = [] }
        return pair.toBackup
    }

    /// The backup reads `frames` at the pair's time, then handles the end of the burst.
    static func backupReads(_ pair: DirectEnginePair, _ frames: [[UInt8]]) {
        for frame in frames {
            frame.withUnsafeBytes {
                pair.backup.receive($0, nowNanos: pair.now, stateNow: pair.stateNow) { pair.toPrimary.append(Array($0)) }
            }
        }
        pair.backup.acknowledgeDelivered(nowNanos: pair.now) { pair.toPrimary.append(Array($0)) }
    }

    /// The ranges and delay of an ACK the backup sent.
    static func openAck(_ frame: [UInt8]) throws -> (ranges: [ClosedRange<UInt64>], delay: UInt64) {
        var opener = SyncFrameOpener(key: EngineSimulationTests.key)
        let opened = try opener.open(frame)
        #expect(opened.header.kind == .ack)
        var ranges: [ClosedRange<UInt64>] = []
        let delay = try opened.payload.withUnsafeBytes { bytes in
            try SyncSequenceRanges.decode(bytes, kind: .ack, into: &ranges)
        }
        return (ranges, delay)
    }

    @Test func aTrickleIsAcknowledgedTogetherWithTheTimeItWaited() throws {
        let pair = Self.pair()
        let acksBefore = pair.backup.currentCounters[.acksSent]
        let start = pair.now
        Self.backupReads(pair, Self.flushOneInsert(pair, index: 1))
        #expect(pair.toPrimary.isEmpty, "the first frame's ACK is held back")
        #expect(pair.backup.ackDueNanos == start + Self.delay)
        #expect(pair.backup.isQuiet, "a held ACK needs no busy ticks: it has a deadline")

        pair.now += 4_000_000
        let second = Self.flushOneInsert(pair, index: 2)
        Self.backupReads(pair, second)
        pair.backup.tick(nowNanos: pair.now, stateNow: pair.stateNow) { pair.toPrimary.append(Array($0)) }
        #expect(pair.toPrimary.isEmpty, "nothing due 4 ms after the first frame")
        #expect(pair.backup.ackDueNanos == start + Self.delay, "the deadline counts from the first frame")

        pair.now = start + Self.delay
        pair.backup.tick(nowNanos: pair.now, stateNow: pair.stateNow) { pair.toPrimary.append(Array($0)) }
        let acks = pair.toPrimary
        #expect(acks.count == 1)
        #expect(pair.backup.currentCounters[.acksSent] == acksBefore + 1)
        #expect(pair.backup.ackDueNanos == nil)
        let ack = try Self.openAck(try #require(acks.first))
        let sequence = pair.primary.status.sentSequence
        #expect(ack.ranges.last?.upperBound == sequence, "both frames acknowledged")
        #expect(ack.delay == 6_000, "held 6 ms after the newest frame arrived")

        // The primary takes the hold off: the frame went out 6 ms before the ACK arrived.
        let samplesBefore = pair.primary.lagHistogram.count
        pair.toPrimary = []
        for frame in acks {
            frame.withUnsafeBytes { pair.primary.receive($0, nowNanos: pair.now, stateNow: pair.stateNow) { _ in } }
        }
        #expect(pair.primary.lagHistogram.count == samplesBefore + 1)
        #expect((pair.primary.lagHistogram.percentile(1.0) ?? .max) < 1_000, "lag without the 6 ms hold")
        #expect(pair.backup.table.count == 2)
    }

    @Test func anEighthOfTheReceiveWindowIsAcknowledgedAtOnce() throws {
        let pair = Self.pair()
        var frames: [[UInt8]] = []
        for index in 0..<8 { frames += Self.flushOneInsert(pair, index: 100 + index) }
        #expect(frames.count == 8)
        Self.backupReads(pair, Array(frames.prefix(7)))
        #expect(pair.toPrimary.isEmpty)
        Self.backupReads(pair, [frames[7]])
        let ack = try Self.openAck(try #require(pair.toPrimary.first))
        #expect(ack.ranges.last?.upperBound == pair.primary.status.sentSequence)
        #expect(ack.delay == 0, "sent as the eighth frame was read")
    }

    @Test func aPeerThatDoesNotTakeDelayedAcksIsAcknowledgedEveryBurst() throws {
        let pair = Self.pair()
        // The primary says HELLO again as an older pfsyncd would: no ackDelay feature.
        var sealer = SyncFrameSealer(key: EngineSimulationTests.key, senderID: 1, epoch: 10)
        var payload: [UInt8] = []
        SyncHello(options: [], maxDatagramSize: 1_452, keepaliveMilliseconds: 250, features: [.lz4, .deltaUpdates])
            .encode(into: &payload)
        let hello = try sealer.seal(kind: .hello, sequence: pair.primary.status.sentSequence, payload: payload)
        Array(hello).withUnsafeBytes {
            pair.backup.receive($0, nowNanos: pair.now, stateNow: pair.stateNow) { _ in }
        }
        Self.backupReads(pair, Self.flushOneInsert(pair, index: 7))
        #expect(pair.backup.ackDueNanos == nil)
        let ack = try Self.openAck(try #require(pair.toPrimary.first))
        #expect(ack.delay == 0)
    }

    @Test func aSlowBackupHoldingAcksBackLosesNothing() {
        let link = SlowPeerLink(
            states: 4_000, maxFramesInFlight: 48, bufferFrames: 64, framesPerTick: 6, backupReceiveWindow: 48,
            backupAckDelayNanos: Self.delay)
        link.run(ticks: 300, updatesPerTick: 1_500)
        #expect(link.dropped == 0)
        #expect(link.backup.currentCounters[.lost] == 0)
        #expect(link.primary.currentCounters[.retransmitted] == 0)
        link.run(ticks: 400, updatesPerTick: 0)
        #expect(link.backup.table.count == 4_000)
        #expect(link.differences() == 0)
    }
}
