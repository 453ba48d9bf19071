import PFSyncCore
import Testing
@testable import PFSyncReplication

/// A backup slower than its primary: the primary keeps no more frames in flight than the
/// backup's socket buffer holds, its changes wait (and coalesce) in its table, and nothing
/// is lost; without flow control the same link drops frames and falls back to resyncs.
@Suite struct FlowControlTests {
    /// 4,000 states, all new to the backup, and 1,500 changes every 2 ms tick: more than
    /// the backup's 6 datagrams per tick carry.
    static func overloadedLink(maxFramesInFlight: UInt64) -> SlowPeerLink {
        let link = SlowPeerLink(states: 4_000, maxFramesInFlight: maxFramesInFlight, bufferFrames: 64, framesPerTick: 6)
        link.run(ticks: 300, updatesPerTick: 1_500)
        return link
    }

    @Test func aSlowBackupLosesNothingAndCatchesUpOnceTheLoadEnds() {
        let link = Self.overloadedLink(maxFramesInFlight: 48)
        #expect(link.dropped == 0)
        #expect(link.deepestData <= 48, "DATA frames in flight stay within the window")
        #expect(link.backup.currentCounters[.lost] == 0)
        #expect(link.primary.currentCounters[.resyncs] + link.backup.currentCounters[.resyncs] == 0)
        #expect(link.primary.currentCounters[.retransmitted] == 0)
        // The primary sent no more than the backup read, and the changes the backup could
        // not take yet waited in the primary's table, merged.
        #expect(link.primary.status.sentSequence <= 6 * 300 + 48, "DATA frames sent")
        let sent = link.primary.currentCounters[.messagesSent]
        #expect(sent < UInt64(link.written) * 3 / 4, "\(sent) messages for \(link.written) changes")
        link.run(ticks: 400, updatesPerTick: 0)
        #expect(link.backup.table.count == 4_000)
        #expect(link.differences() == 0)
    }

    @Test func withoutFlowControlTheSameLinkDropsFrames() {
        let link = Self.overloadedLink(maxFramesInFlight: 0)
        #expect(link.dropped > 0)
        #expect(link.deepest == 64)
        #expect(link.deepestData > 48)
    }

    @Test func theFirstFlushOfAFullTableWaitsForTheNewPeersAcks() {
        // 20,000 inserts pending when the backup comes up: far more than 48 frames.
        let link = SlowPeerLink(states: 20_000, maxFramesInFlight: 48, bufferFrames: 64, framesPerTick: 64)
        link.run(ticks: 1, updatesPerTick: 0)
        #expect(link.dropped == 0)
        #expect(link.primary.status.sentSequence <= 48, "DATA frames sent before the first ACK")
        link.run(ticks: 400, updatesPerTick: 0)
        #expect(link.dropped == 0)
        #expect(link.backup.table.count == 20_000)
        #expect(link.differences() == 0)
    }

    @Test func aBackupJoiningAPrimaryThatRanAloneIsNotFlooded() {
        // The primary runs alone past the peer timeout (nobody limits it then), with a
        // table of 20,000 states and changes going on; then the backup starts and asks for
        // everything.
        let link = SlowPeerLink(
            states: 20_000, maxFramesInFlight: 48, bufferFrames: 64, framesPerTick: 6, startBackup: false)
        link.run(ticks: 1_600, updatesPerTick: 200)
        #expect(link.primary.sendWindow.isSilent(nowNanos: link.now))
        link.startBackup()
        link.run(ticks: 300, updatesPerTick: 200)
        #expect(link.dropped == 0)
        #expect(link.deepestData <= 48)
        #expect(link.backup.currentCounters[.lost] == 0)
        link.run(ticks: 1_500, updatesPerTick: 0)
        #expect(link.dropped == 0)
        #expect(link.backup.status.bulk.incoming == .done)
        #expect(link.backup.table.count == 20_000)
        #expect(link.differences() == 0)
    }

    @Test func aBackupWithASmallerBufferSaysSoAndThePrimaryKeepsToIt() {
        // The primary allows 1,024 frames in flight (its own buffer is large); the backup's
        // buffer holds 64 and its HELLO says 48.
        let link = SlowPeerLink(
            states: 4_000, maxFramesInFlight: 1_024, bufferFrames: 64, framesPerTick: 6, backupReceiveWindow: 48)
        link.run(ticks: 300, updatesPerTick: 1_500)
        #expect(link.primary.sendWindow.limit == 48)
        #expect(link.dropped == 0)
        #expect(link.deepestData <= 48)
        #expect(link.backup.currentCounters[.lost] == 0)
        link.run(ticks: 400, updatesPerTick: 0)
        #expect(link.backup.table.count == 4_000)
        #expect(link.differences() == 0)
        // Without the backup saying it, the same primary overruns that buffer.
        let unsaid = SlowPeerLink(states: 4_000, maxFramesInFlight: 1_024, bufferFrames: 64, framesPerTick: 6)
        unsaid.run(ticks: 300, updatesPerTick: 1_500)
        #expect(unsaid.primary.sendWindow.limit == 1_024)
        #expect(unsaid.dropped > 0)
    }

    @Test func theWindowIsTheSmallerOfTheLimitAndThePeersBuffer() {
        #expect(SendWindow.limit(maximum: 1_024, peerFrames: 80) == 80)
        #expect(SendWindow.limit(maximum: 1_024, peerFrames: 1_600) == 1_024)
        #expect(SendWindow.limit(maximum: 1_024, peerFrames: 0) == 1_024, "a peer that says nothing")
        #expect(SendWindow.limit(maximum: 0, peerFrames: 80) == 0, "flow control off stays off")
        var window = SendWindow(limit: 1_024, silenceNanos: 1_000)
        window.peerStarted(afterSequence: 0, nowNanos: 0)
        window.fit(maximum: 1_024, peerFrames: 80)
        #expect(window.room(lastSent: 50, nowNanos: 10) == 30)
        // The peer restarts with a larger buffer: the window grows back to the limit.
        window.fit(maximum: 1_024, peerFrames: 4_000)
        #expect(window.room(lastSent: 50, nowNanos: 10) == 974)
    }

    @Test func theWindowCountsFromThePeersStartAndOpensWhenItFallsSilent() {
        var window = SendWindow(limit: 100, silenceNanos: 1_000)
        window.peerStarted(afterSequence: 40, nowNanos: 0)
        #expect(window.room(lastSent: 40, nowNanos: 10) == 100)
        #expect(window.room(lastSent: 130, nowNanos: 10) == 10)
        #expect(window.room(lastSent: 140, nowNanos: 10) == 0)
        window.acknowledged(through: 100, nowNanos: 500)
        #expect(window.room(lastSent: 140, nowNanos: 600) == 60)
        // An older ACK does not move the window back.
        window.acknowledged(through: 90, nowNanos: 700)
        #expect(window.room(lastSent: 140, nowNanos: 800) == 60)
        // Silent for the timeout: the peer no longer holds the sender back.
        #expect(window.room(lastSent: 300, nowNanos: 1_700) == .max)
        // It restarts: nothing of before is in flight to it.
        window.peerStarted(afterSequence: 300, nowNanos: 2_000)
        #expect(window.room(lastSent: 310, nowNanos: 2_100) == 90)
        #expect(SendWindow(limit: 0, silenceNanos: 1_000).room(lastSent: 1_000_000, nowNanos: 0) == .max)
    }

    @Test func roomInFramesBecomesAnAmountOfItemsFromWhatFramesCarried() {
        var perFrame = ItemsPerFrame(initial: 16)
        #expect(perFrame.items(inFrames: 10) == 160)
        for _ in 0..<40 { perFrame.record(items: 2_000, frames: 10) }
        #expect(perFrame.items(inFrames: 10) > 1_900)
        #expect(perFrame.items(inFrames: 10) <= 2_000)
        perFrame.record(items: 0, frames: 0)
        #expect(perFrame.items(inFrames: 1) >= 190)
        #expect(perFrame.items(inFrames: .max) == .max)
        #expect(perFrame.items(inFrames: 0) == 1)
    }
}
