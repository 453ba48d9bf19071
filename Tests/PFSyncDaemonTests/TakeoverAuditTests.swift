import PFSyncCore
import PFSyncTracker
import Testing
@testable import PFSyncDaemon

/// The new master's judgement of sessions after a takeover: only the first packet of each
/// session counts, in both directions, and only after the audit is armed.
@Suite struct TakeoverAuditTests {
    static func packet(from source: UInt32, _ sourcePort: UInt16, to destination: UInt32, _ destinationPort: UInt16) -> ParsedPacket {
        var packet = ParsedPacket()
        packet.status = .ok
        packet.proto = 6
        packet.srcAddr = IPAddress(ipv4: source)
        packet.dstAddr = IPAddress(ipv4: destination)
        packet.srcPort = sourcePort
        packet.dstPort = destinationPort
        return packet
    }

    @Test func judgesOnlyTheFirstPacketOfEachSessionAfterTheTakeover() {
        let audit = TakeoverAudit()
        var auditor = TakeoverAuditor(audit: audit)
        let client = Self.packet(from: 0x0A0A_010A, 40_000, to: 0x0A0A_020A, 80)
        let reply = Self.packet(from: 0x0A0A_020A, 80, to: 0x0A0A_010A, 40_000)

        // Not armed: nothing is judged.
        auditor.observe(client, verdict: .noState)
        #expect(audit.armedAtNanos == nil)
        #expect(audit.value(.tested) == 0)

        audit.arm(nowNanos: 1)
        auditor.observe(reply, verdict: .matched)  // first packet: survived
        auditor.observe(client, verdict: .noState)  // same session, other direction: not judged again
        let lost = Self.packet(from: 0x0A0A_010B, 40_001, to: 0x0A0A_020A, 80)
        auditor.observe(lost, verdict: .outOfWindow)
        let gone = Self.packet(from: 0x0A0A_010C, 40_002, to: 0x0A0A_020A, 80)
        auditor.observe(gone, verdict: .noState)
        let fresh = Self.packet(from: 0x0A0A_010D, 40_003, to: 0x0A0A_020A, 80)
        auditor.observe(fresh, verdict: .created)

        #expect(audit.value(.tested) == 3)
        #expect(audit.value(.survived) == 1)
        #expect(audit.value(.lostOutOfWindow) == 1)
        #expect(audit.value(.lostNoState) == 1)
        #expect(audit.lostStrict == 2)
        #expect(audit.value(.created) == 1)

        // A second takeover starts over: the same session is judged again.
        audit.arm(nowNanos: 2)
        #expect(audit.value(.tested) == 0)
        auditor.observe(client, verdict: .matched)
        #expect(audit.value(.survived) == 1)
    }

    @Test func promoteArmsTheAuditOnceWithoutCARP() {
        let audit = TakeoverAudit()
        let role = NodeRole(audit: audit)
        #expect(audit.generation == 0)
        #expect(role.promote())
        #expect(audit.generation == 1)
        #expect(!role.promote())
        #expect(audit.generation == 1)
    }
}
