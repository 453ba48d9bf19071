import Foundation
import Testing

/// CARP coupled with replication and failure detection: the bulk-update demotion and
/// split brain, against real UCarp in network namespaces. Root only.
@Suite(.serialized, .enabled(if: CARPNetns.available, "needs root (network namespaces, raw sockets) and /usr/sbin/ucarp"))
struct CARPCouplingTests {
    @Test func anUnfinishedBulkUpdateDemotesUntilItsLimit() throws {
        let net = try CARPNetns()
        defer { net.shutdown() }
        // No sync peer answers, so the bulk update never finishes.
        let pfsyncd = CARPPfsyncd(
            net: net, advskew: 0, bulkConfig: "bulk_demotion = 200\nbulk_demotion_limit_s = 10")
        try pfsyncd.start()
        func bulkDemotion() -> Int {
            guard let status = try? pfsyncd.status() else { return -1 }
            return DaemonNode.number(status, "carp.demotion_reasons.bulk")
        }
        let held1 = DaemonHarness.waitUntil(seconds: CARPInteropTests.deadline) { bulkDemotion() == 200 }
        #expect(held1)
        // Lifted after the limit (or when the bulk update gives up), and the node becomes master.
        let lifted = DaemonHarness.waitUntil(seconds: CARPInteropTests.deadline) {
            bulkDemotion() == 0 && pfsyncd.role == "master"
        }
        #expect(lifted, "\(net.read("pfsyncd.log"))")
        let log = net.read("pfsyncd.log")
        #expect(log.contains("LIFTING the bulk demotion") || log.contains("reason=bulk total=0"), "\(log)")
    }

    @Test func aPeerMasterThatCannotHearUsIsSplitBrain() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables") else {
            Issue.record("iptables is needed (Tools/install-deps.sh --test)")
            return
        }
        let net = try CARPNetns()
        defer { net.shutdown() }
        // UCarp never hears pfsyncd (A's output drops protocol 112; UCarp reads with pcap, so
        // B's input filter would not hide it), so both are master.
        try CARPNetns.capture(
            "/usr/sbin/ip", ["netns", "exec", net.nsA, "iptables", "-A", "OUTPUT", "-p", "112", "-j", "DROP"])
        let pfsyncd = CARPPfsyncd(net: net, advskew: 0)
        let ucarp = UCarpPeer(net: net)
        try pfsyncd.start()
        try ucarp.start(advskew: 100)
        let detected = DaemonHarness.waitUntil(seconds: CARPInteropTests.deadline) {
            guard let status = try? pfsyncd.status() else { return false }
            return ((status["carp"] as? NSDictionary)?["split_brain"] as? Bool) == true && ucarp.isMaster
        }
        #expect(detected, "\(net.read("pfsyncd.log"))")
        #expect(pfsyncd.counter("split_brain") >= 1)
        #expect(pfsyncd.counter("oerrors") >= 1)  // the filter refused our advertisements
        // Unblocked, UCarp hears the faster master and yields: the split brain ends.
        try CARPNetns.capture("/usr/sbin/ip", ["netns", "exec", net.nsA, "iptables", "-F", "OUTPUT"])
        let resolved = DaemonHarness.waitUntil(seconds: CARPInteropTests.deadline) {
            guard let status = try? pfsyncd.status() else { return false }
            return ((status["carp"] as? NSDictionary)?["split_brain"] as? Bool) == false && !ucarp.isMaster
        }
        #expect(resolved, "\(net.read("pfsyncd.log"))")
        #expect(pfsyncd.role == "master")
    }
}
