import Foundation
import Testing

/// `pfsyncd track` run as a subprocess on the project's own fixture capture.
@Suite("pfsyncd track: the built binary on the project's fixture capture")
struct TrackCommandTests {
    @Test("--json prints ONE object with exactly the documented keys and the fixture's counts")
    func jsonSummary() throws {
        let result = try TrackRunner.track(["--json", TrackRunner.fixture])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = try TrackRunner.objects(result.stdout)
        #expect(objects.count == 1)
        let summary = try #require(objects.first)
        #expect(Set(summary.keys) == TrackRunner.summaryKeys)
        let byProto = try #require(summary["states_by_proto"] as? [String: Any])
        #expect(Set(byProto.keys) == ["tcp", "udp", "icmp", "other"])

        // Independent counts (tshark, at generation time): every TCP conversation starts
        // with a SYN, every UDP conversation and ping run gets a state, IPv4 packets only.
        let expected = try TrackRunner.expectedCounts()
        #expect(TrackRunner.number(summary["packets"]) == TrackRunner.number(expected["ip_packets"]))
        #expect(TrackRunner.number(byProto["tcp"]) == TrackRunner.number(expected["tcp_conversations"]))
        #expect(TrackRunner.number(byProto["udp"]) == TrackRunner.number(expected["udp_conversations"]))
        #expect(TrackRunner.number(byProto["icmp"]) == TrackRunner.number(expected["icmp_echo_ids"]))
        #expect(TrackRunner.number(byProto["other"]) == 0)
        #expect(summary["truncated"] as? Bool == false)
        #expect(result.stdout.contains(#""truncated":false"#))
        #expect((summary["errors"] as? [Any])?.isEmpty == true)
        // Real traffic on one link, captured completely: nothing out of window or stateless.
        #expect(TrackRunner.number(summary["out_of_window"]) == 0)
        #expect(TrackRunner.number(summary["no_state"]) == 0)
        #expect(TrackRunner.number(summary["invalid"]) == 0)

        let created = TrackRunner.number(summary["states_created"]) ?? 0
        let sum = ["tcp", "udp", "icmp", "other"].compactMap { TrackRunner.number(byProto[$0]) }.reduce(0, +)
        #expect(created == sum)
        let verdicts = ["states_created", "matched", "out_of_window", "no_state", "invalid"]
            .compactMap { TrackRunner.number(summary[$0]) }.reduce(0, +)
        #expect(TrackRunner.number(summary["packets"]) == verdicts)
    }

    @Test("--json --states: the summary, then one object per surviving state")
    func jsonStates() throws {
        let result = try TrackRunner.track(["--json", "--states", TrackRunner.fixture])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = try TrackRunner.objects(result.stdout)
        let summary = try #require(objects.first)
        #expect(Set(summary.keys) == TrackRunner.summaryKeys)
        let states = objects.dropFirst()
        let created = TrackRunner.number(summary["states_created"]) ?? 0
        let expired = TrackRunner.number(summary["expired"]) ?? 0
        #expect(UInt64(states.count) == created - expired)
        let stateKeys: Set<String> = [
            "id", "creator_id", "interface", "af", "proto", "direction", "src", "dst", "src_state",
            "dst_state", "packets", "bytes", "age", "expires_in", "timeout",
        ]
        for state in states { #expect(Set(state.keys) == stateKeys) }
        let script = try #require(try TrackRunner.expectedCounts()["script"] as? [String: Any])
        let http = try #require(script["http_connections"] as? Int)
        let aborted = try #require(script["rst_connections"] as? Int)
        let refused = try #require(script["refused_connections"] as? Int)
        let udpFlows = try #require(script["udp_flows"] as? Int)
        let oneWay = try #require(script["udp_oneway_flows"] as? Int)
        let closed = states.filter { $0["proto"] as? String == "tcp" && $0["src_state"] as? String == "FIN_WAIT_2" && $0["dst_state"] as? String == "FIN_WAIT_2" }
        #expect(closed.count == http)
        #expect(closed.allSatisfy { $0["timeout"] as? String == "tcp.closed" && ($0["dst"] as? String) == "10.99.0.2:8080" })
        let reset = states.filter { $0["proto"] as? String == "tcp" && $0["src_state"] as? String == "TIME_WAIT" }
        // Aborted with RST after the handshake, or refused (SYN answered by RST).
        #expect(reset.count == aborted + refused)
        let udp = states.filter { $0["proto"] as? String == "udp" }
        #expect(udp.filter { $0["src_state"] as? String == "MULTIPLE" && $0["dst_state"] as? String == "MULTIPLE" }.count == udpFlows)
        #expect(udp.filter { $0["src_state"] as? String == "SINGLE" && $0["dst_state"] as? String == "NO_TRAFFIC" }.count == oneWay)
    }

    @Test("--states prints pfctl -ss lines")
    func textStates() throws {
        let script = try #require(try TrackRunner.expectedCounts()["script"] as? [String: Any])
        let result = try TrackRunner.track(["--states", TrackRunner.fixture])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("packets:") })
        let pattern = try Regex(#"^all tcp 10\.99\.0\.2:8080 <- 10\.99\.0\.1:[0-9]+ {3,}FIN_WAIT_2:FIN_WAIT_2$"#)
        #expect(lines.filter { $0.wholeMatch(of: pattern) != nil }.count == script["http_connections"] as? Int)
        let udp = try Regex(#"^all udp 10\.99\.0\.2:5300 <- 10\.99\.0\.1:[0-9]+ {3,}MULTIPLE:MULTIPLE$"#)
        #expect(lines.filter { $0.wholeMatch(of: udp) != nil }.count == script["udp_flows"] as? Int)
    }

    @Test("A missing file: one line on stderr, exit 1")
    func missingFile() throws {
        let result = try TrackRunner.track(["--json", "/nonexistent/capture.pcap"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("cannot open /nonexistent/capture.pcap"))
    }

    @Test("A file that is not a capture: one line on stderr, exit 1")
    func notACapture() throws {
        let path = TrackRunner.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("not a capture at all, just text\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try TrackRunner.track([path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("not a pcap or pcapng capture"))
    }

    @Test("A capture cut in the middle of a record: truncated is reported, the rest is tracked")
    func cutCapture() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: TrackRunner.fixture))
        let path = TrackRunner.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Cut inside a record: half the file, then 7 bytes into the next record's data.
        try whole.prefix(whole.count / 2 + 7).write(to: URL(fileURLWithPath: path))
        let full = try TrackRunner.objects(try TrackRunner.track(["--json", TrackRunner.fixture]).stdout).first
        let result = try TrackRunner.track(["--json", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try #require(try TrackRunner.objects(result.stdout).first)
        #expect(summary["truncated"] as? Bool == true)
        #expect(result.stdout.contains(#""truncated":true"#))
        let errors = summary["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("ends early") })
        let packets = TrackRunner.number(summary["packets"]) ?? 0
        #expect(packets > 0)
        #expect(packets < (TrackRunner.number(full?["packets"]) ?? 0))
    }

    @Test("A gzip-compressed capture gives the same summary as the plain one")
    func gzipCapture() throws {
        let path = TrackRunner.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
        try FileManager.default.copyItem(atPath: TrackRunner.fixture, toPath: path)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -f \"$0\"", path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let plain = try TrackRunner.track(["--json", TrackRunner.fixture])
        let compressed = try TrackRunner.track(["--json", path + ".gz"])
        #expect(compressed.status == 0, "stderr: \(compressed.stderr)")
        #expect(compressed.stdout == plain.stdout)
    }
}
