import PFSyncCore
import PFSyncTracker
import Testing
@testable import PFSyncDaemon

/// The new master's judgement of sessions after a takeover: the first packet of each
/// session decides, in both directions, and only after the audit is armed; a dropped session
/// that passes a later packet only stalled.
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

        // A later passing packet of a dropped session: it stalled, it is not lost. A packet
        // that creates a state does not count as passing (a new connection on the tuple).
        auditor.observe(gone, verdict: .created)
        #expect(audit.value(.lostNoState) == 1)
        auditor.observe(lost, verdict: .matched)
        auditor.observe(lost, verdict: .outOfWindow)
        auditor.observe(lost, verdict: .matched)
        #expect(audit.value(.lostOutOfWindow) == 0)
        #expect(audit.value(.stalled) == 1)
        #expect(audit.value(.tested) == 3)
        #expect(audit.lostStrict == 1)
        auditor.observe(gone, verdict: .matched)
        #expect(audit.value(.stalled) == 2)
        #expect(audit.lostStrict == 0)

        // A second takeover starts over: the same session is judged again.
        audit.arm(nowNanos: 2)
        #expect(audit.value(.tested) == 0)
        #expect(audit.value(.stalled) == 0)
        auditor.observe(client, verdict: .matched)
        #expect(audit.value(.survived) == 1)
    }

    @Test func describesLostSessionsWithTheStateTheyMetUpToALimit() {
        let table = StateTable(shardCount: 2)
        var state = PFState(
            identity: StateID(id: 7, creatorID: 1), proto: 6,
            wireKey: StateKey(addr0: IPAddress(ipv4: 0x0A0A_010A), addr1: IPAddress(ipv4: 0x0A0A_020A), port0: 40_000, port1: 80))
        state.src.state = PeerState.established
        state.dst.state = PeerState.established
        state.dst.seqLo = 5_000
        state.dst.seqHi = 70_000
        _ = table.insert(state)
        let audit = TakeoverAudit()
        var auditor = TakeoverAuditor(audit: audit, table: table)
        audit.arm(nowNanos: 1)
        var reply = Self.packet(from: 0x0A0A_020A, 80, to: 0x0A0A_010A, 40_000)
        reply.tcpFlags = ParsedPacket.TCPFlags.ack
        reply.seq = 900_000
        auditor.observe(reply, verdict: .outOfWindow)
        auditor.observe(Self.packet(from: 0x0A0A_010B, 40_001, to: 0x0A0A_020A, 80), verdict: .noState)
        let lines = audit.droppedSessions
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("out of window: tcp 10.10.2.10:80 > 10.10.1.10:40000 [A] seq 900000") == true)
        #expect(lines.first?.contains("dst ESTABLISHED seqlo 5000 seqhi 70000") == true, "\(lines)")
        #expect(lines.last == "no state: tcp 10.10.1.11:40001 > 10.10.2.10:80 [] seq 0 ack 0 len 0 win 0")

        for port in 0..<40 {
            auditor.observe(Self.packet(from: 0x0A0A_0120, UInt16(port), to: 0x0A0A_020A, 80), verdict: .noState)
        }
        #expect(audit.droppedSessions.count == TakeoverAudit.describedLimit)
        #expect(audit.value(.lostNoState) == 41)
        audit.arm(nowNanos: 2)
        #expect(audit.droppedSessions.isEmpty)
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
