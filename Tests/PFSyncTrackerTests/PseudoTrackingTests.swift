import PFSyncCore
import Testing

@testable import PFSyncTracker

@Suite("UDP, other and ICMP pseudo-states")
struct PseudoTrackingTests {
    let timeouts = TrackerTimeouts.pfDefaults

    @Test("UDP: SINGLE/NO_TRAFFIC, then MULTIPLE/SINGLE on the reply, then both MULTIPLE")
    func udpStates() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1), proto: 17)
        PseudoTracking.initialize(&state, family: .udp, now: 100, timeouts: timeouts)
        #expect(state.src.state == PeerState.single)
        #expect(state.dst.state == PeerState.noTraffic)
        #expect(state.timeout == TimeoutClass.udpFirstPacket.rawValue)
        #expect(state.expire == 160)

        PseudoTracking.track(&state, family: .udp, fromSource: true, now: 101, timeouts: timeouts)
        #expect(state.src.state == PeerState.single)
        #expect(state.dst.state == PeerState.noTraffic)
        #expect(state.timeout == TimeoutClass.udpSingle.rawValue)
        #expect(state.expire == 131)

        PseudoTracking.track(&state, family: .udp, fromSource: false, now: 102, timeouts: timeouts)
        #expect(state.src.state == PeerState.multiple)
        #expect(state.dst.state == PeerState.single)
        #expect(state.timeout == TimeoutClass.udpSingle.rawValue)

        PseudoTracking.track(&state, family: .udp, fromSource: true, now: 103, timeouts: timeouts)
        #expect(state.src.state == PeerState.multiple)
        #expect(state.dst.state == PeerState.multiple)
        #expect(state.timeout == TimeoutClass.udpMultiple.rawValue)
        #expect(state.expire == 163)
    }

    @Test("Other protocols use the other.* timeouts")
    func otherTimeouts() {
        var custom = TrackerTimeouts()
        custom.otherSingle = 7
        var state = PFState(identity: StateID(id: 1, creatorID: 1), proto: 47)
        PseudoTracking.initialize(&state, family: .other, now: 100, timeouts: custom)
        #expect(state.timeout == TimeoutClass.otherFirstPacket.rawValue)
        PseudoTracking.track(&state, family: .other, fromSource: false, now: 100, timeouts: custom)
        #expect(state.timeout == TimeoutClass.otherSingle.rawValue)
        #expect(state.expire == 107)
    }

    @Test("ICMP: icmp.first on creation, icmp.error on any later packet")
    func icmp() {
        var state = PFState(identity: StateID(id: 1, creatorID: 1), proto: 1)
        PseudoTracking.initializeICMP(&state, now: 10, timeouts: timeouts)
        #expect(state.timeout == TimeoutClass.icmpFirstPacket.rawValue)
        #expect(state.expire == 30)
        PseudoTracking.trackICMP(&state, now: 11, timeouts: timeouts)
        #expect(state.timeout == TimeoutClass.icmpErrorReply.rawValue)
        #expect(state.expire == 21)
    }
}

@Suite("Tracker timeouts and ids")
struct TrackerTimeoutsTests {
    @Test("Protocol names as /etc/protocols gives them, protoN for the rest")
    func protocolNames() {
        let names = [6, 17, 1, 58, 47, 50, 51, 132, 253].map { IPProtocol.name(UInt8($0)) }
        #expect(names == ["tcp", "udp", "icmp", "ipv6-icmp", "gre", "esp", "ah", "sctp", "proto253"])
    }

    @Test("pf's defaults, indexed by timeout class")
    func defaults() {
        let expected: [(TimeoutClass, UInt32)] = [
            (.tcpFirstPacket, 120), (.tcpOpening, 30), (.tcpEstablished, 86_400),
            (.tcpClosing, 900), (.tcpFinWait, 45), (.tcpClosed, 90), (.udpFirstPacket, 60),
            (.udpSingle, 30), (.udpMultiple, 60), (.icmpFirstPacket, 20), (.icmpErrorReply, 10),
            (.otherFirstPacket, 60), (.otherSingle, 30), (.otherMultiple, 60),
        ]
        for (timeoutClass, seconds) in expected {
            #expect(TrackerTimeouts.pfDefaults[timeoutClass] == seconds, "\(timeoutClass.pfName)")
        }
    }

    @Test("Timeouts are set by pfctl name; unknown names throw")
    func setByName() throws {
        var timeouts = TrackerTimeouts()
        try timeouts.set("tcp.established", seconds: 3600)
        try timeouts.set("udp.first", seconds: 5)
        #expect(timeouts[.tcpEstablished] == 3600)
        #expect(timeouts.udpFirstPacket == 5)
        #expect(throws: TrackerConfigError.unknownTimeout("tcp.bogus")) {
            try timeouts.set("tcp.bogus", seconds: 1)
        }
        for timeoutClass in TimeoutClass.allCases {
            #expect(TimeoutClass(pfName: timeoutClass.pfName) == timeoutClass)
        }
    }

    @Test("State ids start at start-time << 32 and never repeat")
    func stateIDs() {
        var generator = StateIDGenerator(startSeconds: 0x6500_0000)
        let first = generator.make()
        let second = generator.make()
        #expect(first >> 32 == 0x6500_0000)
        #expect(second == first + 1)
        var wrapping = StateIDGenerator(startSeconds: UInt32.max)
        var seen = Set<UInt64>()
        for _ in 0..<10 { seen.insert(wrapping.make()) }
        #expect(seen.count == 10)
    }
}
