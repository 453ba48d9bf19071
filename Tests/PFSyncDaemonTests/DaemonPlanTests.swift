import PFSyncConfig
import PFSyncWire
import Testing
@testable import PFSyncDaemon

/// How the configuration's sync words become the replication engine's settings.
@Suite struct DaemonPlanTests {
    static func plan(_ sync: String) throws -> DaemonPlan {
        try DaemonPlan(config: DaemonConfig.parse("node_id = 2\n[sync]\nmode = \"pfsync\"\ninterface = \"lo\"\n" + sync))
    }

    @Test func plainPFSyncSpeaksTheConfiguredVersionAndFormat() throws {
        let freeBSD = try Self.plan("state_format = 1500").engine
        #expect(freeBSD.pfsyncVersion == .freeBSD && freeBSD.stateEncoding == .freeBSD1500)
        let openBSD = try Self.plan("pfsync_version = 6").engine
        #expect(openBSD.pfsyncVersion == .openBSD && openBSD.stateEncoding == .openBSD)
    }

    @Test func theAckDelayIsTakenInMilliseconds() throws {
        #expect(try Self.plan("").engine.ackDelayNanos == 10_000_000)
        #expect(try Self.plan("ack_delay_ms = 2.5").engine.ackDelayNanos == 2_500_000)
        #expect(try Self.plan("ack_delay_ms = 0").engine.ackDelayNanos == 0)
    }
}
