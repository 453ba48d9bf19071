import Foundation
import Testing

@Suite("pfsyncd decode: the built binary against independently generated vectors")
struct DecodeCommandTests {
    @Test("--json prints exactly the expected objects, keys in the documented order",
          arguments: ["pfsync-ethernet", "pfsync-sll", "pfsync-raw"])
    func jsonMatchesVectors(name: String) throws {
        let capture = DecodeRunner.fixtures.appendingPathComponent(name + ".pcap").path
        let expectedText = try String(contentsOf: DecodeRunner.fixtures.appendingPathComponent(name + ".jsonl"), encoding: .utf8)
        let result = try DecodeRunner.run(["decode", "--json", capture])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let actual = try DecodeRunner.jsonLines(result.stdout)
        let expected = try DecodeRunner.jsonLines(expectedText)
        #expect(actual.count == expected.count)
        let actualLines = result.stdout.split(separator: "\n")
        let expectedLines = expectedText.split(separator: "\n")
        for index in 0..<min(actual.count, expected.count) {
            let want = expected[index], got = actual[index]
            if want["error"] != nil {
                // The error text is the codec's; the frame number and the keys are fixed.
                #expect(got["error"] is String, "line \(index + 1): \(got)")
                #expect(got["frame"] as? Int == want["frame"] as? Int, "line \(index + 1)")
                #expect(Set(got.allKeys.compactMap { $0 as? String }) == ["error", "frame"])
            } else {
                #expect(got == want, "line \(index + 1): got \(got), want \(want)")
                #expect(DecodeRunner.keyOrder(actualLines[index]) == DecodeRunner.keyOrder(expectedLines[index]), "line \(index + 1)")
            }
        }
    }

    @Test("Text output: one line per message with time, addresses, version and action")
    func textOutput() throws {
        let capture = DecodeRunner.fixtures.appendingPathComponent("pfsync-ethernet.pcap").path
        let text = try DecodeRunner.run(["decode", capture])
        let json = try DecodeRunner.run(["decode", "--json", capture])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        let jsonLines = json.stdout.split(separator: "\n")
        // Text adds one note for the skipped unknown OpenBSD action.
        #expect(lines.count == jsonLines.count + 1)
        let first = try #require(lines.first)
        #expect(first.hasPrefix("2023-11-14 22:13:20.000000 10.0.0.1 > 224.0.0.240: pfsync v5 INS_1400 id 0x0102030405060708/0xdeadbeef tcp 10.0.0.1:49152 -> 192.0.2.80:443"))
        #expect(lines.contains { $0.contains("fe80::2 > ff12::f0: pfsync v5 UPD_1500") })
        #expect(lines.contains { $0.contains("pfsync v6 INS id 0x5a5a5a5a00000001/0x76543210 tcp [2001:db8:aaaa::10]:40000 -> [2001:db8:bbbb::20]:80") })
        #expect(lines.contains { $0.contains("error in frame 8") })
    }

    @Test("A file that is not a capture: a clear message on stderr and exit code 1")
    func notACapture() throws {
        let path = NSTemporaryDirectory() + "pfsyncd-decode-\(UUID().uuidString).txt"
        try Data("this is a text file, not a capture\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try DecodeRunner.run(["decode", "--json", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("not a pcap or pcapng capture"))
        #expect(result.stderr.contains(path))
    }

    @Test("A missing file: a clear message on stderr and exit code 1")
    func missingFile() throws {
        let result = try DecodeRunner.run(["decode", "/nonexistent/pfsync.pcap"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open /nonexistent/pfsync.pcap"))
    }
}
