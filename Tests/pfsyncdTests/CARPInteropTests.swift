import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// pfsyncd's CARP against real UCarp (apt `ucarp`) in two network namespaces. Root only.
/// Deadlines are generous bounds, not timing assertions.
@Suite(.serialized, .enabled(if: CARPNetns.available, "needs root (network namespaces, raw sockets) and /usr/sbin/ucarp"))
struct CARPInteropTests {
    /// Election settles well within this (3 x advbase + skew is about 3.4 s here).
    static let deadline = 20.0

    static func withNet(_ body: (CARPNetns) throws -> Void) throws {
        let net = try CARPNetns()
        defer { net.shutdown() }
        try body(net)
    }

    @Test func pfsyncdWithTheLowerSkewIsMasterAndUCarpBacksUp() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 0, preempt: true)
            try ucarp.start(advskew: 100, preempt: true)
            try pfsyncd.start()
            let settled = DaemonHarness.waitUntil(seconds: Self.deadline) {
                pfsyncd.role == "master" && net.hasAddress(net.nsA, net.vip) && !ucarp.isMaster
                    && net.read("ucarp.log").contains("Switching to state: BACKUP")
            }
            #expect(settled, "pfsyncd: \(net.read("pfsyncd.log"))\nucarp: \(net.read("ucarp.log"))")
            let scripted = DaemonHarness.waitUntil(seconds: Self.deadline) { net.read("pfsyncd-events").contains("up ca \(net.vip)") }
            #expect(scripted)
            // UCarp heard authenticated advertisements from us and stays backup.
            #expect(pfsyncd.counter("opackets") > 0)
            #expect(pfsyncd.counter("badauth") == 0)
        }
    }

    @Test func ucarpWithTheLowerSkewIsMasterAndPfsyncdBacksUp() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 100, preempt: true)
            try pfsyncd.start()
            try ucarp.start(advskew: 0, preempt: true)
            let settled = DaemonHarness.waitUntil(seconds: Self.deadline) {
                ucarp.isMaster && pfsyncd.role == "backup" && !net.hasAddress(net.nsA, net.vip)
            }
            #expect(settled, "pfsyncd: \(net.read("pfsyncd.log"))\nucarp: \(net.read("ucarp.log"))")
            let status = try pfsyncd.status()
            #expect(DaemonNode.string(status, "role") == "backup")
            #expect(pfsyncd.counter("ipackets") > 0)
            #expect(pfsyncd.counter("badauth") == 0)
        }
    }

    @Test func preemptTakesOverOnlyWhenEnabled() throws {
        try Self.withNet { net in
            // UCarp (slow, skew 200) is master alone first.
            let ucarp = UCarpPeer(net: net)
            try ucarp.start(advskew: 200)
            let held1 = DaemonHarness.waitUntil(seconds: Self.deadline) { ucarp.isMaster }
            #expect(held1)
            // Without preempt, the faster pfsyncd stays backup (checked over several intervals).
            let patient = CARPPfsyncd(net: net, advskew: 0, preempt: false)
            try patient.start()
            let held2 = DaemonHarness.waitUntil(seconds: 30) { patient.role == "backup" && patient.counter("ipackets") >= 6 }
            #expect(held2)
            #expect(patient.role == "backup" && ucarp.isMaster)
            _ = patient.terminate()
            // With preempt, it takes over.
            let eager = CARPPfsyncd(net: net, advskew: 0, preempt: true)
            try eager.start()
            let took = DaemonHarness.waitUntil(seconds: Self.deadline) {
                eager.role == "master" && !ucarp.isMaster && net.hasAddress(net.nsA, net.vip)
            }
            #expect(took, "pfsyncd: \(net.read("pfsyncd.log"))\nucarp: \(net.read("ucarp.log"))")
        }
    }

    @Test func killingPfsyncdMovesTheVIPToUCarp() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 0, preempt: true)
            try pfsyncd.start()
            try ucarp.start(advskew: 100)
            let held3 = DaemonHarness.waitUntil(seconds: Self.deadline) { pfsyncd.role == "master" && !ucarp.isMaster }
            #expect(held3)
            pfsyncd.kill9()
            let moved = DaemonHarness.waitUntil(seconds: Self.deadline) { ucarp.isMaster && ucarp.lastEvent == "up" }
            #expect(moved, "ucarp: \(net.read("ucarp.log"))")
        }
    }

    @Test func killingUCarpMovesTheVIPToPfsyncd() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 100)
            try ucarp.start(advskew: 0, preempt: true)
            try pfsyncd.start()
            let held4 = DaemonHarness.waitUntil(seconds: Self.deadline) { ucarp.isMaster && pfsyncd.role == "backup" }
            #expect(held4)
            // The role changes at once; the address goes with the actuator's `ip` run after it.
            #expect(DaemonHarness.waitUntil(seconds: 5) { !net.hasAddress(net.nsA, net.vip) })
            ucarp.kill9()
            let moved = DaemonHarness.waitUntil(seconds: Self.deadline) {
                pfsyncd.role == "master" && net.hasAddress(net.nsA, net.vip)
            }
            #expect(moved, "pfsyncd: \(net.read("pfsyncd.log"))")
            let held5 = DaemonHarness.waitUntil(seconds: Self.deadline) { net.read("pfsyncd-events").contains("up ca \(net.vip)") }
            #expect(held5)
        }
    }

    @Test func aWrongPasswordIsIgnoredAndCounted() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 100, password: "right-password")
            try ucarp.start(advskew: 0, password: "wrong-password")
            try pfsyncd.start()
            // UCarp's advertisements never count as a master: pfsyncd becomes master anyway.
            let counted = DaemonHarness.waitUntil(seconds: Self.deadline) {
                pfsyncd.counter("badauth") >= 3 && pfsyncd.role == "master"
            }
            #expect(counted, "pfsyncd: \(net.read("pfsyncd.log"))")
            let stats = try pfsyncd.control(["stats"])
            #expect(DaemonNode.number(stats, "carp.counters.badauth") >= 3)
            #expect(DaemonNode.number(stats, "carp.counters.became_backup") == 1)  // only the start
        }
    }

    @Test func demoteHandsOverAndPromoteTakesBack() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 0, preempt: true)
            try pfsyncd.start()
            try ucarp.start(advskew: 100, preempt: true)
            let held6 = DaemonHarness.waitUntil(seconds: Self.deadline) { pfsyncd.role == "master" && !ucarp.isMaster }
            #expect(held6)
            let demoted = try pfsyncd.control(["demote"])
            #expect((demoted["demotion"] as? NSNumber)?.intValue == 240)
            // Our advertised skew is now 240 > 100: UCarp (preempt) takes over.
            let held7 = DaemonHarness.waitUntil(seconds: Self.deadline) { ucarp.isMaster && pfsyncd.role == "backup" }
            #expect(held7)
            #expect(DaemonHarness.waitUntil(seconds: 5) { !net.hasAddress(net.nsA, net.vip) })
            _ = try pfsyncd.control(["promote"])
            let held8 = DaemonHarness.waitUntil(seconds: Self.deadline) { pfsyncd.role == "master" && !ucarp.isMaster }
            #expect(held8)
        }
    }

    @Test func sigtermHandsTheVIPToUCarpBeforeLeaving() throws {
        try Self.withNet { net in
            let ucarp = UCarpPeer(net: net)
            let pfsyncd = CARPPfsyncd(net: net, advskew: 0, preempt: true)
            try pfsyncd.start()
            try ucarp.start(advskew: 100)
            let held9 = DaemonHarness.waitUntil(seconds: Self.deadline) { pfsyncd.role == "master" && !ucarp.isMaster }
            #expect(held9)
            #expect(pfsyncd.terminate() == 0)
            let held10 = DaemonHarness.waitUntil(seconds: 5) { ucarp.isMaster }
            #expect(held10, "ucarp: \(net.read("ucarp.log"))")
            #expect(!net.hasAddress(net.nsA, net.vip))
            #expect(net.read("pfsyncd-events").contains("down ca \(net.vip)"))
        }
    }

    @Test func tsharkDecodesOurAdvertisementsAsCARP() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/tcpdump")
        else {
            Issue.record("tshark and tcpdump are needed (Tools/install-deps.sh --test)")
            return
        }
        try Self.withNet { net in
            let pfsyncd = CARPPfsyncd(net: net, advskew: 30)
            try pfsyncd.start()
            let held11 = DaemonHarness.waitUntil(seconds: Self.deadline) { pfsyncd.role == "master" }
            #expect(held11)
            let capture = net.path("adverts.pcap")
            let dump = try net.spawn(
                in: net.nsB, ["/usr/bin/tcpdump", "-i", "cb", "-U", "-c", "3", "-w", capture, "ip proto 112"], log: "tcpdump.log")
            let held12 = DaemonHarness.waitUntil(seconds: Self.deadline) { !dump.isRunning }
            #expect(held12)
            let fields = try CARPNetns.capture(
                "/usr/bin/tshark",
                ["-o", "ip.try_heuristic_first:TRUE", "-r", capture, "-T", "fields", "-e", "ip.ttl", "-e", "carp.version",
                 "-e", "carp.type", "-e", "carp.vhid", "-e", "carp.advskew", "-e", "carp.adver_int", "-e", "carp.authlen",
                 "-e", "carp.checksum.status", "-e", "ip.dst"])
            let rows = fields.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            #expect(rows.count == 3, "\(fields)")
            for row in rows {
                #expect(row == ["255", "2", "1", "7", "30", "1", "7", "1", "224.0.0.18"], "\(row)")
            }
        }
    }
}
