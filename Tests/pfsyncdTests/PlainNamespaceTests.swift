import Foundation
import PFSyncCore
import PFSyncWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Plain pfsync mode between two real `pfsyncd run` daemons in two network namespaces
/// joined by a veth pair (multicast 224.0.0.240 on the sync interface, TTL 255). Needs
/// root; namespaces and children are removed on every path.
@Suite(.serialized, .enabled(if: PlainNamespaces.available, "needs root (network namespaces, raw sockets)"))
struct PlainNamespaceTests {
    static let capture = DecodeRunner.packageRoot.appendingPathComponent("Tests/Fixtures/captures/netns-mixed.pcap").path

    /// Waits (bounded) until both tables hold the same states; returns the last difference.
    private func waitForConvergence(_ a: PlainNamespaceNode, _ b: PlainNamespaceNode, seconds: Double = 60) throws -> String? {
        var last: String? = "not compared"
        _ = try DaemonHarness.waitUntil(seconds: seconds) {
            let first = try a.states()
            last = first.isEmpty ? "first node has no states" : PlainTableComparison.difference(first, try b.states())
            return last == nil
        }
        return last
    }

    /// A backup and a primary fed by the capture, in two fresh namespaces joined by the
    /// veth pair, both started; everything is removed on every path. `syncConfig` gets the
    /// harness (for its key file) and gives more `[sync]` lines.
    private func withPair(
        mode: String, syncConfig: (DaemonHarness) -> String,
        primarySource: String = "[capture]\nfiles = [\"\(Self.capture)\"]\n",
        _ body: (PlainNamespaceNode, PlainNamespaceNode) throws -> Void
    ) throws {
        try withPair(mode: mode, syncConfig: syncConfig, primarySource: primarySource) { primary, backup, _ in
            try body(primary, backup)
        }
    }

    /// ``withPair(mode:syncConfig:primarySource:_:)`` that also hands the body the namespaces.
    private func withPair(
        mode: String, syncConfig: (DaemonHarness) -> String, primarySource: String,
        _ body: (PlainNamespaceNode, PlainNamespaceNode, PlainNamespaces) throws -> Void
    ) throws {
        let namespaces = try PlainNamespaces()
        defer { namespaces.remove() }
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let sync = syncConfig(harness)
        let backup = PlainNamespaceNode(
            name: "backup", namespace: namespaces.b, nodeID: 2, interface: "syncb", directory: harness.directory,
            mode: mode, syncConfig: sync)
        let primary = PlainNamespaceNode(
            name: "primary", namespace: namespaces.a, nodeID: 1, interface: "synca", directory: harness.directory,
            mode: mode, syncConfig: sync, extraConfig: primarySource)
        defer {
            primary.kill()
            backup.kill()
        }
        try backup.start()
        try primary.start()
        try body(primary, backup, namespaces)
    }

    /// One node started alone in two fresh namespaces joined by the veth pair: node 1 on
    /// `synca` in the first, or (`inB`) node 2 on `syncb` in the second, with `extraConfig`;
    /// everything is removed on every path.
    private func withNode(
        inB: Bool, extraConfig: String = "", _ body: (PlainNamespaceNode, PlainNamespaces) throws -> Void
    ) throws {
        let namespaces = try PlainNamespaces()
        defer { namespaces.remove() }
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let node = PlainNamespaceNode(
            name: "node", namespace: inB ? namespaces.b : namespaces.a, nodeID: inB ? 2 : 1,
            interface: inB ? "syncb" : "synca", directory: harness.directory, extraConfig: extraConfig)
        defer { node.kill() }
        try node.start()
        try body(node, namespaces)
    }

    private func log(_ nodes: PlainNamespaceNode...) -> String {
        nodes.map { "\($0.name) log:\n\($0.log)" }.joined(separator: "\n")
    }

    /// FreeBSD's version 5 (the default) and OpenBSD's version 6.
    @Test(.timeLimit(.minutes(3)), arguments: [5, 6])
    func tablesConvergeLiveAndByBulkUpdate(version: Int) throws {
        try withPair(mode: "pfsync", syncConfig: { _ in "pfsync_version = \(version)" }) { primary, backup in
            let finished = try DaemonHarness.waitUntil(seconds: 60) {
                (try primary.status()["capture"] as? [NSDictionary])?.first?["phase"] as? String == "finished"
            }
            #expect(finished)
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ: \(difference ?? "") \(log(primary, backup))")
            #expect(try primary.states().count > 100)

            let primaryStats = try primary.stats()
            let backupStats = try backup.stats()
            #expect(DaemonNode.number(primaryStats, "pfsync.opackets") > 0)
            #expect(DaemonNode.number(primaryStats, "actions.out.INS") > 100)
            #expect(DaemonNode.number(backupStats, "pfsync.ipackets") > 0)
            #expect(DaemonNode.number(backupStats, "table.created") > 100)
            for counter in ["badttl", "badif", "hdrops", "badver", "badlen", "badact"] {
                #expect(DaemonNode.number(backupStats, "pfsync." + counter) == 0, "\(counter)")
            }
            #expect(DaemonNode.string(try backup.status(), "mode") == "pfsync")

            // A restarted backup starts empty and gets everything by a bulk update.
            backup.kill()
            try backup.start()
            let again = try waitForConvergence(primary, backup)
            #expect(again == nil, "after restart: \(again ?? "") \(log(primary, backup))")
            let bulkDone = try DaemonHarness.waitUntil(seconds: 30) {
                DaemonNode.string(try backup.status(), "bulk.incoming") == "done"
            }
            #expect(bulkDone)
            #expect(DaemonNode.number(try backup.stats(), "bulk.states_received") > 100)
            #expect(DaemonNode.number(try primary.stats(), "bulk.requests_received") >= 1)
            #expect(primary.isRunning && backup.isRunning)
        }
    }

    /// pfsyncd's own frames over UDP multicast on the veth pair (the group's datagrams leave
    /// by the sync interface: the namespace has no route to the group), with GSO writes of
    /// padded frames, and a bulk for a restarted backup.
    @Test(.timeLimit(.minutes(3)))
    func pfsyncdFramesOverMulticastConverge() throws {
        let sync = { (harness: DaemonHarness) in "group = \"239.240.0.1\"\nkey_file = \"\(harness.keyPath)\"\ngso = true" }
        try withPair(mode: "pfsyncd", syncConfig: sync) { primary, backup in
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ: \(difference ?? "") \(log(primary, backup))")
            #expect(try primary.states().count > 100)
            let backupStats = try backup.stats()
            #expect(DaemonNode.number(backupStats, "pfsync.badlen") == 0)
            #expect(DaemonNode.number(backupStats, "pfsync.badauth") == 0)
            #expect(DaemonNode.string(try backup.status(), "mode") == "pfsyncd")

            backup.kill()
            try backup.start()
            let again = try waitForConvergence(primary, backup)
            #expect(again == nil, "after restart: \(again ?? "") \(log(primary, backup))")
            #expect(DaemonNode.number(try backup.stats(), "bulk.states_received") > 100)
            // The bulk went to a peer whose HELLO said it takes padded frames: as GSO writes.
            // (The first changes may have gone before the first HELLO came back.)
            let primaryAfter = try primary.stats()
            #expect(DaemonNode.number(primaryAfter, "transport.gso_writes") > 0, "\(log(primary))")
            #expect(DaemonNode.number(primaryAfter, "transport.gso_failures") == 0, "\(log(primary))")
            #expect(DaemonNode.number(try backup.stats(), "pfsync.badlen") == 0)
        }
    }

    /// A pair in `mode` whose primary's table changes all through `outage` (300 states, then
    /// `updates` updates at 200/s), run once the backup holds the 300 states. Afterwards the
    /// tables must converge: by themselves in pfsyncd mode (NACKs, resync); in plain pfsync
    /// mode, which has no retransmission, once a restarted backup has its bulk update; then
    /// `afterwards` runs with both nodes still up.
    private func replicationSurvives(
        mode: String, updates: Int, outage: (PlainNamespaceNode, PlainNamespaceNode, PlainNamespaces) throws -> Void,
        afterwards: (PlainNamespaceNode, PlainNamespaceNode) throws -> Void = { _, _ in }
    ) throws {
        let sync = { (harness: DaemonHarness) in
            mode == "pfsyncd" ? "group = \"239.240.0.1\"\nkey_file = \"\(harness.keyPath)\"" : ""
        }
        let load = "[testing]\nsynthetic_states = 300\nsynthetic_updates = \(updates)\nsynthetic_rate = 200\n"
        try withPair(mode: mode, syncConfig: sync, primarySource: load) { primary, backup, namespaces in
            let replicating = try DaemonHarness.waitUntil(seconds: 30) { try backup.states().count == 300 }
            #expect(replicating, "\(log(primary, backup))")
            try outage(primary, backup, namespaces)
            let finished = try DaemonHarness.waitUntil(seconds: 60) {
                (try primary.status()["capture"] as? [NSDictionary])?.first?["phase"] as? String == "finished"
            }
            #expect(finished)
            if mode == "pfsync" {
                backup.kill()
                try backup.start()
            }
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ after the outage: \(difference ?? "") \(log(primary, backup))")
            #expect(primary.isRunning && backup.isRunning)
            try afterwards(primary, backup)
        }
    }

    /// The sync cable pulled and put back while the primary's table changes: the primary's
    /// sends fail (no route while its sync interface is down), SwiftNIO closes its socket,
    /// and the daemon opens a new one. Replication resumes (see ``replicationSurvives``).
    @Test(.timeLimit(.minutes(3)), arguments: ["pfsyncd", "pfsync"])
    func replicationResumesAfterTheSyncLinkWasDown(mode: String) throws {
        try replicationSurvives(mode: mode, updates: 2000) { primary, _, _ in
            try PlainNamespaces.ip(["-n", primary.namespace, "link", "set", "synca", "down"])
            let reopened = try DaemonHarness.waitUntil(seconds: 30) {
                DaemonNode.number(try primary.stats(), "transport.socket_reopens") >= 1
            }
            try PlainNamespaces.ip(["-n", primary.namespace, "link", "set", "synca", "up"])
            #expect(reopened, "the primary's socket was closed and opened again \(log(primary))")
            #expect(primary.log.contains("closed unexpectedly"), "\(log(primary))")
        }
    }

    /// The sync interface deleted and created again under a running pair (a VLAN or bond
    /// reconfigured): it comes back with a new index, and a socket opened before belongs to
    /// the old one (its multicast membership; in plain pfsync mode also the interface its
    /// packets must come from, else `badif`). Both daemons open new sockets, and replication
    /// resumes (see ``replicationSurvives``) with no `badif` on either side.
    @Test(.timeLimit(.minutes(3)), arguments: ["pfsyncd", "pfsync"])
    func replicationFollowsASyncInterfaceCreatedAgain(mode: String) throws {
        try replicationSurvives(mode: mode, updates: 3000) { primary, backup, namespaces in
            try namespaces.deleteSyncLink()
            try namespaces.createSyncLink()
            let reopened = try DaemonHarness.waitUntil(seconds: 30) {
                let primaryReopens = DaemonNode.number(try primary.stats(), "transport.socket_reopens")
                let backupReopens = DaemonNode.number(try backup.stats(), "transport.socket_reopens")
                return primaryReopens >= 1 && backupReopens >= 1
            }
            #expect(reopened, "both nodes opened new sockets \(log(primary, backup))")
        } afterwards: { (primary: PlainNamespaceNode, backup: PlainNamespaceNode) throws in
            #expect(DaemonNode.number(try primary.stats(), "pfsync.badif") == 0, "\(log(primary))")
            #expect(DaemonNode.number(try backup.stats(), "pfsync.badif") == 0, "\(log(backup))")
        }
    }

    /// A live capture's entry in `status` carries the kernel's drop counters (`pcap_stats`):
    /// packets the capture buffer had no room for, which the tracker never saw.
    @Test(.timeLimit(.minutes(2)))
    func aLiveCaptureReportsTheKernelsDropCounters() throws {
        try withNode(inB: false, extraConfig: "[capture]\ninterfaces = [\"othera\"]\n") { node, namespaces in
            try PlainNamespaces.ip(
                ["netns", "exec", namespaces.b, "ping", "-c", "5", "-i", "0.2", "-W", "1", PlainNamespaces.otherA], check: false)
            var entry: NSDictionary?
            let counted = try DaemonHarness.waitUntil(seconds: 10) {
                entry = (try node.status()["capture"] as? [NSDictionary])?.first
                return (entry?["packets_read"] as? NSNumber)?.intValue ?? 0 >= 10 && entry?["kernel_dropped"] is NSNumber
            }
            #expect(counted, "\(String(describing: entry)) \(node.log)")
            #expect(entry?["kind"] as? String == "interface")
            #expect((entry?["kernel_dropped"] as? NSNumber)?.intValue == 0)
            #expect(entry?["interface_dropped"] is NSNumber)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func badTTLWrongInterfaceGarbageAndIndependentPackets() throws {
        try withNode(inB: true) { node, namespaces in
            let sender = try NamespaceRawSender(namespace: namespaces.a, interfaceAddress: PlainNamespaces.syncA)
            let group = "224.0.0.240"
            func counter(_ name: String) throws -> Int { DaemonNode.number(try node.stats(), "pfsync." + name) }
            func insertPacket(_ index: Int, creator: UInt32) -> [UInt8] {
                var state = PFState(
                    identity: StateID(id: UInt64(index) | 0xABC0_0000, creatorID: creator), proto: 17,
                    wireKey: StateKey(
                        addr0: IPAddress(ipv4: 0xC633_6400 | UInt32(index)), addr1: IPAddress(ipv4: 0xC633_6501),
                        port0: UInt16(5000 + index), port1: 53))
                state.timeout = TimeoutClass.udpMultiple.rawValue
                state.expire = 600
                var writer = PFSyncPacketWriter(version: .freeBSD)
                _ = writer.append(.insert(state, .freeBSD1400))
                return writer.finish()
            }
            func present(creator: UInt32) throws -> Int {
                try node.states().keys.filter { $0.hasSuffix("/" + Hex.u32(creator)) }.count
            }

            // TTL 64 on the sync interface: badttl, nothing inserted.
            let before = try node.states().count
            for index in 0..<5 { try sender.send(insertPacket(index, creator: 0x64), to: group, ttl: 64) }
            #expect(try DaemonHarness.waitUntil(seconds: 20) { try counter("badttl") >= 5 }, "\(log(node))")
            // TTL 255 but on the second link, which is not the sync interface: badif.
            for index in 0..<3 {
                try sender.send(insertPacket(index, creator: 0x1F), to: PlainNamespaces.otherB, ttl: 255)
            }
            #expect(try DaemonHarness.waitUntil(seconds: 20) { try counter("badif") >= 3 }, "\(log(node))")
            // The same packets done right are taken (so the drops above were the checks).
            for index in 0..<4 { try sender.send(insertPacket(index, creator: 0xFF), to: group, ttl: 255) }
            #expect(try DaemonHarness.waitUntil(seconds: 20) { try present(creator: 0xFF) == 4 })
            #expect(try present(creator: 0x64) == 0)
            #expect(try present(creator: 0x1F) == 0)
            #expect(try node.states().count == before + 4)

            // Garbage with the right TTL: short, wrong version, len beyond the data, unknown action.
            try sender.send([5, 0, 0, 10, 1, 2, 3, 4, 5, 6], to: group, ttl: 255)
            var version9 = [UInt8](repeating: 0, count: 24)
            version9[0] = 9
            version9[3] = 24
            try sender.send(version9, to: group, ttl: 255)
            var tooLong = insertPacket(9, creator: 0xBAD)
            tooLong[2] = 0x09
            tooLong[3] = 0x00
            try sender.send(tooLong, to: group, ttl: 255)
            var unknown = [UInt8](repeating: 0, count: 28)
            unknown[0] = 5
            unknown[3] = 28
            unknown[20] = 99
            unknown[23] = 1
            try sender.send(unknown, to: group, ttl: 255)
            let counted = try DaemonHarness.waitUntil(seconds: 20) {
                try counter("hdrops") >= 1 && counter("badver") >= 1 && counter("badlen") >= 1 && counter("badact") >= 1
            }
            let finalStats = try node.stats()
            #expect(counted, "\(finalStats)")
            #expect(try present(creator: 0xBAD) == 0)

            // Independently encoded packets (Python encoder) with TTL 255: their states appear.
            let packets = try PlainFixturePackets.fullStatePackets(
                pcap: DecodeRunner.fixtures.appendingPathComponent("pfsync-ethernet.pcap").path)
            let expected = try PlainFixturePackets.expectedStates(
                jsonl: DecodeRunner.fixtures.appendingPathComponent("pfsync-ethernet.jsonl").path)
            #expect(packets.count >= 2)
            #expect(expected.count >= 3)
            for packet in packets { try sender.send(packet, to: group, ttl: 255) }
            var table: [String: NSDictionary] = [:]
            let arrived = try DaemonHarness.waitUntil(seconds: 20) {
                table = try node.states()
                return expected.keys.allSatisfy { table[$0] != nil }
            }
            #expect(arrived, "missing: \(expected.keys.filter { table[$0] == nil })")
            for (id, line) in expected {
                guard let state = table[id] else { continue }
                for field in ["ifname", "af", "proto", "direction", "key", "src", "dst", "timeout", "packets", "bytes"] {
                    #expect((state[field] as? NSObject)?.isEqual(line[field]) == true, "\(id) \(field): \(state[field] ?? "nil") vs \(line[field] ?? "nil")")
                }
            }
            #expect(node.isRunning)
            #expect(DaemonNode.string(try node.status(), "mode") == "pfsync")
            #expect(try counter("ipackets") >= 5 + 3 + 4 + 4 + packets.count)
        }
    }
}
