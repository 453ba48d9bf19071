import Foundation
import PFSyncWire
import Testing

/// Two real `pfsyncd run` daemons on loopback: a primary fed by a capture file and an
/// empty backup. Every wait is bounded; children are killed at the end even on failure.
@Suite(.serialized) struct DaemonReplicationTests {
    /// Starts primary (with the capture) and backup, runs `body`, always cleans up.
    private func withPair(
        primaryExtra: String = "", backupExtra: String = "", rate: Double = 0, address: String = "127.0.0.1",
        syncConfig: String = "", _ body: (DaemonHarness, DaemonNode, DaemonNode) throws -> Void
    ) throws {
        let harness = try DaemonHarness()
        defer { harness.shutdown() }
        let capture = try harness.captureFile()
        let primary = try harness.makeNode(
            name: "primary", nodeID: 1,
            extraConfig: "[capture]\nfiles = [\"\(capture)\"]\nrate = \(rate)\n" + primaryExtra)
        let backup = try harness.makeNode(name: "backup", nodeID: 2, extraConfig: backupExtra)
        primary.peerPort = backup.port
        backup.peerPort = primary.port
        for node in [primary, backup] {
            node.address = address
            node.syncConfig = syncConfig
        }
        try backup.start()
        try primary.start()
        do {
            try body(harness, primary, backup)
        } catch {
            Issue.record("primary log:\n\(primary.log)\nbackup log:\n\(backup.log)")
            throw error
        }
    }

    /// Waits (bounded) until the primary's capture is finished.
    private func waitForCaptureEnd(_ primary: DaemonNode, seconds: Double = 60) throws -> Bool {
        try DaemonHarness.waitUntil(seconds: seconds) {
            let status = try primary.status()
            let captures = status["capture"] as? [NSDictionary] ?? []
            return captures.first?["phase"] as? String == "finished"
        }
    }

    /// Waits (bounded) until both tables hold the same states; returns the last difference.
    private func waitForConvergence(_ a: DaemonNode, _ b: DaemonNode, seconds: Double = 60) throws -> String? {
        var last: String? = "not compared"
        _ = try DaemonHarness.waitUntil(seconds: seconds) {
            let first = try a.states()
            last = first.isEmpty ? "primary has no states" : DaemonTableComparison.difference(first, try b.states())
            return last == nil
        }
        return last
    }

    @Test(.timeLimit(.minutes(3)))
    func backupTableEqualsPrimaryAfterCapture() throws {
        try withPair { _, primary, backup in
            #expect(try waitForCaptureEnd(primary))
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ: \(difference ?? "")")
            let states = try primary.states()
            #expect(states.count > 100)
            let stats = try backup.stats()
            #expect(DaemonNode.number(stats, "pfsync.ipackets") > 0)
            #expect(DaemonNode.number(stats, "table.states") > 100)
            #expect(DaemonNode.number(stats, "table.created") > 100)
            let primaryStats = try primary.stats()
            #expect(DaemonNode.number(primaryStats, "tracker.states_created") >= states.count)
            #expect(DaemonNode.number(primaryStats, "actions.out.INS") > 0)
            // GSO writes are off unless asked for (`replicatesOverIPv6` turns them on).
            #expect(DaemonNode.number(primaryStats, "transport.gso_writes") == 0)
            #expect(DaemonNode.number(stats, "pfsync.badlen") == 0)
            let status = try backup.status()
            #expect(DaemonNode.number(status, "peer.id") == 1)
            // Alive: a frame within the last 3 s (a loaded machine may stall the primary's
            // loop for a moment, so this is polled).
            #expect(try DaemonHarness.waitUntil(seconds: 10) {
                (try backup.status()["peer"] as? NSDictionary)?["alive"] as? Bool == true
            })
            // Graceful shutdown: SIGTERM exits 0 and removes the control socket.
            #expect(primary.terminate() == 0)
            #expect(!FileManager.default.fileExists(atPath: primary.socketPath))
        }
    }

    @Test(
        .timeLimit(.minutes(3)), .enabled(if: DaemonHarness.hasIPv6Loopback, "no IPv6 loopback (::1) here"),
        arguments: [true, false])
    func replicatesOverIPv6(gso: Bool) throws {
        try withPair(address: "::1", syncConfig: "gso = \(gso)") { _, primary, backup in
            #expect(try waitForCaptureEnd(primary))
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ: \(difference ?? "")")
            let primaryStats = try primary.stats()
            let backupStats = try backup.stats()
            // Counted as IPv6 (pfsync's opackets6 / ipackets6), none as IPv4.
            #expect(DaemonNode.number(primaryStats, "pfsync.opackets6") > 0)
            #expect(DaemonNode.number(primaryStats, "pfsync.opackets") == 0)
            #expect(DaemonNode.number(backupStats, "pfsync.ipackets6") > 0)
            #expect(DaemonNode.number(backupStats, "pfsync.badlen") == 0)
            guard gso else {
                #expect(DaemonNode.number(primaryStats, "transport.gso_writes") == 0)
                return
            }
            // A restarted backup's bulk goes to a peer whose HELLO said it takes padded
            // frames: as GSO writes over IPv6 too. (The capture's first changes may have gone
            // before the first HELLO came back.)
            backup.kill()
            try backup.start()
            let again = try waitForConvergence(primary, backup)
            #expect(again == nil, "after restart: \(again ?? "")")
            let after = try primary.stats()
            #expect(DaemonNode.number(after, "transport.gso_writes") > 0)
            #expect(DaemonNode.number(after, "transport.gso_failures") == 0)
            let restarted = try backup.stats()
            #expect(DaemonNode.number(restarted, "pfsync.badlen") == 0)
            // Over loopback a GSO write reaches a GRO socket whole: the backup read it as
            // one buffer and split it (UDP GRO reads need Linux 5.10 for SwiftNIO).
            let kernel = ProcessInfo.processInfo.operatingSystemVersion
            if (kernel.majorVersion, kernel.minorVersion) >= (5, 10) {
                #expect(DaemonNode.number(restarted, "transport.gro_reads") > 0)
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func convergesWithLossDuplicationAndReordering() throws {
        let faults = "[testing]\ndrop_percent = 10\nduplicate_percent = 5\nreorder_percent = 5\nseed = 7\n"
        try withPair(primaryExtra: faults, backupExtra: faults) { _, primary, backup in
            #expect(try waitForCaptureEnd(primary))
            let difference = try waitForConvergence(primary, backup, seconds: 90)
            #expect(difference == nil, "tables differ: \(difference ?? "")")
            let primaryStats = try primary.stats()
            let backupStats = try backup.stats()
            #expect(DaemonNode.number(primaryStats, "transport.fault_dropped") > 0)
            #expect(DaemonNode.number(primaryStats, "reliability.retransmitted") > 0)
            #expect(DaemonNode.number(backupStats, "reliability.nacks_sent") > 0)
            #expect(DaemonNode.number(backupStats, "reliability.duplicates") > 0)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func killedBackupBulkUpdatesAndConverges() throws {
        // Replay at a quarter of capture speed so the load lasts about 16 s: the backup is
        // killed while it goes on, even when starting the pair took a loaded machine long.
        try withPair(rate: 0.25) { _, primary, backup in
            let loaded = try DaemonHarness.waitUntil(seconds: 30) {
                DaemonNode.number(try backup.status(), "table.states") > 0
            }
            #expect(loaded)
            let phaseAtKill = (try primary.status()["capture"] as? [NSDictionary])?.first?["phase"] as? String
            #expect(phaseAtKill == "running", "the kill should land while the capture still loads the primary")
            backup.kill()
            #expect(!backup.isRunning)
            try backup.start()
            #expect(try waitForCaptureEnd(primary))
            let difference = try waitForConvergence(primary, backup, seconds: 90)
            #expect(difference == nil, "tables differ: \(difference ?? "")")
            let done = try DaemonHarness.waitUntil(seconds: 30) {
                let status = try backup.status()
                return DaemonNode.string(status, "bulk.incoming") == "done"
            }
            #expect(done)
            #expect(DaemonNode.number(try backup.stats(), "bulk.states_received") > 0)
            // The restarted backup asked again (the first run's request may have been lost
            // while the primary was not up yet).
            #expect(DaemonNode.number(try primary.stats(), "bulk.requests_received") >= 1)
            #expect(DaemonNode.number(try primary.stats(), "bulk.states_sent") > 0)
            // The log says so: the restarted backup's bulk, and the primary saw it come back.
            #expect(backup.log.contains("bulk update received"), "backup log:\n\(backup.log)")
            #expect(
                primary.log.contains("sync peer restarted") || primary.log.components(separatedBy: "sync peer up").count > 2,
                "primary log:\n\(primary.log)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func forgedGarbageAndReplayedFramesAreDroppedAndCounted() throws {
        try withPair { harness, primary, backup in
            #expect(try waitForCaptureEnd(primary))
            let primaryStatus = try primary.status()
            let epoch = UInt32(DaemonNode.number(primaryStatus, "epoch"))
            let sender = try UDPSender()
            // Forged: sealed with another key.
            var forger = SyncFrameSealer(
                key: try SyncKey(bytes: [UInt8](repeating: 0x42, count: 32)), senderID: 1, epoch: epoch)
            for sequence in 1...10 {
                let frame = try forger.seal(kind: .data, sequence: UInt64(sequence), payload: [1, 2, 3, 4])
                try sender.send(Array(frame), port: backup.port)
            }
            // Garbage: random bytes (bad magic) and runts.
            for _ in 0..<5 {
                try sender.send((0..<200).map { _ in UInt8.random(in: 0...255) }, port: backup.port)
            }
            for _ in 0..<3 { try sender.send([0x50, 0x46, 0x53, 0x44, 1, 2, 3, 4], port: backup.port) }
            // Replayed: the right key and sender, an epoch older than the primary's.
            let keyBytes = try Data(contentsOf: URL(fileURLWithPath: harness.keyPath))
            var replayer = SyncFrameSealer(key: try SyncKey(bytes: Array(keyBytes)), senderID: 1, epoch: epoch &- 1)
            let replay = try replayer.seal(kind: .data, sequence: 1, payload: [1, 2, 3, 4])
            try sender.send(Array(replay), port: backup.port)

            let counted = try DaemonHarness.waitUntil(seconds: 20) {
                let stats = try backup.stats()
                return DaemonNode.number(stats, "pfsync.badauth") >= 11
                    && DaemonNode.number(stats, "pfsync.badver") >= 5
                    && DaemonNode.number(stats, "pfsync.hdrops") >= 3
            }
            let stats = try backup.stats()
            #expect(counted, "badauth \(DaemonNode.number(stats, "pfsync.badauth")), badver \(DaemonNode.number(stats, "pfsync.badver")), hdrops \(DaemonNode.number(stats, "pfsync.hdrops"))")
            #expect(backup.isRunning)
            let difference = try waitForConvergence(primary, backup)
            #expect(difference == nil, "tables differ: \(difference ?? "")")
            // The operator is told, once per kind (the next report waits 10 s).
            let logged = DaemonHarness.waitUntil(seconds: 10) {
                backup.log.contains("sync frames failed authentication")
                    && backup.log.contains("malformed sync datagrams dropped")
            }
            #expect(logged, "backup log:\n\(backup.log)")
        }
    }
}

/// Sends UDP datagrams from 127.0.0.1 (the peer's address, so the source check passes).
final class UDPSender {
    private let descriptor: Int32

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError.setup("socket failed") }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8], port: UInt16) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == bytes.count else { throw HarnessError.setup("sendto failed: \(errno)") }
    }
}
