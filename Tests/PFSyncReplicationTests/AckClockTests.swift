import PFSyncCore
import Testing
@testable import PFSyncReplication

/// A sender held back by its flow-control window sends again as soon as an ACK opens it
/// (``ReplicationEngine/sendOpenedByAcknowledgements(nowNanos:stateNow:send:)``), not only
/// at its next tick.
@Suite struct AckClockTests {
    /// A pair whose primary keeps at most 16 frames in flight, with a bulk of 5,000 states
    /// for the backup under way: the primary's first tick of it sent a window's worth at most.
    static func bulkHeldByTheWindow() -> DirectEnginePair {
        var primaryConfig = EngineConfig(nodeID: 1, epoch: 10)
        primaryConfig.requestBulkOnStart = false
        primaryConfig.maxFramesInFlight = 16
        var backupConfig = EngineConfig(nodeID: 2, epoch: 20)
        backupConfig.ackEveryFrames = 8
        let pair = DirectEnginePair(primaryConfig: primaryConfig, backupConfig: backupConfig, settleAtStart: false)
        for id in 1...5_000 { _ = pair.primary.table.insert(DeferralTests.state(UInt64(id)), recordChange: false) }
        // The HELLOs and the backup's bulk request arrive; the primary's next tick starts the
        // bulk.
        exchange(pair)
        pair.now += 2_000_000
        pair.primary.tick(nowNanos: pair.now, stateNow: pair.stateNow) { pair.toBackup.append(Array($0)) }
        return pair
    }

    /// Hands the primary's frames to the backup and the backup's answers (its ACKs among
    /// them) back to the primary, once each way, without ticking either.
    static func exchange(_ pair: DirectEnginePair) {
        let frames = pair.toBackup
        pair.toBackup = []
        for frame in frames {
            frame.withUnsafeBytes {
                pair.backup.receive($0, nowNanos: pair.now, stateNow: pair.stateNow) { pair.toPrimary.append(Array($0)) }
            }
        }
        pair.backup.acknowledgeDelivered(nowNanos: pair.now) { pair.toPrimary.append(Array($0)) }
        let answers = pair.toPrimary
        pair.toPrimary = []
        for answer in answers {
            answer.withUnsafeBytes {
                pair.primary.receive($0, nowNanos: pair.now, stateNow: pair.stateNow) { pair.toBackup.append(Array($0)) }
            }
        }
    }

    /// ``exchange(_:)``, then what the ACKs let the primary send: the frames it sent.
    static func exchangeWithoutTicks(_ pair: DirectEnginePair) -> Int {
        exchange(pair)
        return pair.primary.sendOpenedByAcknowledgements(nowNanos: pair.now, stateNow: pair.stateNow) {
            pair.toBackup.append(Array($0))
        }
    }

    @Test func aBulkHeldByTheWindowGoesOnWithEachAckAndNoTick() {
        let pair = Self.bulkHeldByTheWindow()
        #expect(pair.primary.status.bulk.sending)
        let sentByTicks = pair.primary.status.sentSequence

        // The backup's ACKs come in: each exchange lets out what they acknowledged.
        var exchanges = 0
        while pair.primary.status.bulk.sending, exchanges < 1_000 {
            let sent = Self.exchangeWithoutTicks(pair)
            #expect(sent > 0, "exchange \(exchanges) sent nothing")
            if sent == 0 { break }
            exchanges += 1
        }
        #expect(!pair.primary.status.bulk.sending, "the whole bulk went out without a tick")
        #expect(pair.primary.status.sentSequence > sentByTicks + 16)
        pair.settle(ticks: 5)
        #expect(pair.backup.table.count == 5_000)
        #expect(pair.backup.currentCounters[.lost] == 0)
    }

    @Test func anAckThatOpensNoWaitingSendSendsNothing() {
        // Nothing waits: the window never closed, no bulk runs.
        let pair = DirectEnginePair()
        for id in 1...50 { _ = pair.primary.table.insert(DeferralTests.state(UInt64(id))) }
        pair.settle(ticks: 2)
        #expect(pair.backup.table.count == 50)
        for id in 51...60 { _ = pair.primary.table.insert(DeferralTests.state(UInt64(id))) }
        // The ten inserts are pending in the table; ACKs of earlier frames do not flush them
        // before the tick (changes coalesce for a flush interval).
        #expect(Self.exchangeWithoutTicks(pair) == 0)
        #expect(pair.primary.table.pendingChangeCount == 10)
    }
}
