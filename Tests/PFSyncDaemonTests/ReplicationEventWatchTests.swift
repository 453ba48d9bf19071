import Logging
import PFSyncDaemon
import PFSyncReplication
import Testing

/// What the daemon logs about its sync link, from the engine's status and counters.
@Suite struct ReplicationEventWatchTests {
    private let second: UInt64 = 1_000_000_000

    private func observe(
        _ watch: inout ReplicationEventWatch, _ status: EngineStatus, _ counters: ReplicationCounters = ReplicationCounters(),
        badSource: UInt64 = 0, at now: UInt64
    ) -> [ReplicationEvent] {
        var events: [ReplicationEvent] = []
        watch.observe(status: status, counters: counters, badSource: badSource, nowNanos: now, into: &events)
        return events
    }

    @Test func peerUpRestartedAndSilent() {
        var watch = ReplicationEventWatch()
        var status = EngineStatus()
        #expect(observe(&watch, status, at: 100 * second).isEmpty)

        status.peerAlive = true
        status.peerID = 2
        status.peerEpoch = 1000
        status.lastFrameNanos = 101 * second
        let up = observe(&watch, status, at: 101 * second)
        #expect(up.map(\.message) == ["sync peer up"])
        #expect(up.first?.level == .notice)
        #expect(up.first?.metadata == ["peer_id": "0x00000002", "epoch": "1000"])
        #expect(observe(&watch, status, at: 102 * second).isEmpty)

        status.peerEpoch = 1005
        #expect(observe(&watch, status, at: 103 * second).map(\.message) == ["sync peer restarted"])

        status.peerAlive = false
        let down = observe(&watch, status, at: 104 * second)
        #expect(down.map(\.message) == ["sync peer silent: down"])
        #expect(down.first?.level == .warning)
        #expect(down.first?.metadata["silent_ms"] == "3000")

        // Back after a silence with a new epoch: up (the silence was already said).
        status.peerAlive = true
        status.peerEpoch = 1010
        #expect(observe(&watch, status, at: 110 * second).map(\.message) == ["sync peer up"])
    }

    @Test func bulkPhasesBothWays() {
        var watch = ReplicationEventWatch()
        var status = EngineStatus()
        status.bulk.incoming = .requested
        status.bulk.tries = 1
        #expect(observe(&watch, status, at: second).map(\.message) == ["bulk update requested from the peer"])
        status.bulk.tries = 2
        #expect(observe(&watch, status, at: 2 * second).isEmpty, "a retry is not a new phase")
        status.bulk.incoming = .receiving
        #expect(observe(&watch, status, at: 3 * second).map(\.message) == ["bulk update from the peer started"])
        status.bulk.incoming = .done
        status.bulk.statesReceived = 1_000_000
        status.bulk.lastDurationMilliseconds = 1031.26
        let done = observe(&watch, status, at: 4 * second)
        #expect(done.map(\.message) == ["bulk update received"])
        #expect(done.first?.metadata == ["states": "1000000", "duration_ms": "1031.3"])

        status.bulk.sending = true
        #expect(observe(&watch, status, at: 10 * second).map(\.message) == ["sending a bulk update to the peer"])
        status.bulk.sending = false
        status.bulk.statesSent = 500
        let sent = observe(&watch, status, at: 10 * second + 250_000_000)
        #expect(sent.map(\.message) == ["bulk update sent"])
        #expect(sent.first?.metadata == ["states": "500", "duration_ms": "250.0"])

        status.bulk.incoming = .failed
        let failed = observe(&watch, status, at: 20 * second)
        #expect(failed.map(\.message) == ["bulk update failed: no complete answer from the peer"])
        #expect(failed.first?.level == .error)
    }

    @Test func droppedInputIsReportedAtOnceThenAtMostEveryTenSeconds() {
        var watch = ReplicationEventWatch()
        let status = EngineStatus()
        var counters = ReplicationCounters()
        counters[.badauth] = 3
        let first = observe(&watch, status, counters, at: 100 * second)
        #expect(first.map(\.message) == ["sync frames failed authentication (wrong key, forged or replayed)"])
        #expect(first.first?.metadata == ["count": "3"])

        counters[.badauth] = 50
        #expect(observe(&watch, status, counters, at: 105 * second).isEmpty, "within the interval")
        let later = observe(&watch, status, counters, at: 111 * second)
        #expect(later.first?.metadata == ["count": "47", "in_last_s": "11"])
        #expect(observe(&watch, status, counters, at: 125 * second).isEmpty, "nothing new")

        // The malformed counters add up into one report; the bad source comes from the transport.
        counters[.hdrops] = 1
        counters[.badlen] = 2
        let both = observe(&watch, status, counters, badSource: 4, at: 126 * second)
        #expect(both.count == 2)
        #expect(both.contains { $0.message.hasPrefix("malformed sync datagrams dropped") && $0.metadata["count"] == "3" })
        #expect(both.contains { $0.message.hasPrefix("sync datagrams from an address other than") && $0.metadata["count"] == "4" })
    }
}
