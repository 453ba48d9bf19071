import Testing
@testable import PFSyncDaemon

@Suite struct DaemonClockTests {
    @Test func monotonicClockNeverGoesBack() {
        var last = DaemonClock.monotonicNanos()
        for _ in 0..<1000 {
            let now = DaemonClock.monotonicNanos()
            #expect(now >= last)
            last = now
        }
    }
}
