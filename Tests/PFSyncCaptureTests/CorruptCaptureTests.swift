import Foundation
import PFSyncCapture
import PFSyncCore
import Testing

/// The shared corpus of damaged captures; absent on machines without /work/shared.
enum SharedCorpus {
    static let directory = "/work/shared/pcaps"
    static let corruptDirectory = directory + "/corrupt"
    static var isPresent: Bool { FileManager.default.fileExists(atPath: corruptDirectory) }

    /// MANIFEST.tsv rows of the corrupt captures: file name -> (packets, read_error).
    static func manifest() throws -> [String: (packets: Int, readError: String)] {
        let text = try String(contentsOfFile: directory + "/MANIFEST.tsv", encoding: .utf8)
        var rows: [String: (Int, String)] = [:]
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init),
              let pathColumn = header.firstIndex(of: "path"), let packetsColumn = header.firstIndex(of: "packets"),
              let errorColumn = header.firstIndex(of: "read_error")
        else { return [:] }
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > max(pathColumn, packetsColumn, errorColumn), fields[pathColumn].hasPrefix("corrupt/") else { continue }
            rows[String(fields[pathColumn].dropFirst("corrupt/".count))] = (Int(fields[packetsColumn]) ?? -1, fields[errorColumn])
        }
        return rows
    }
}

@Suite("Damaged captures from /work/shared/pcaps/corrupt", .enabled(if: SharedCorpus.isPresent, "/work/shared/pcaps/corrupt is absent"))
struct CorruptCaptureTests {
    @Test("Every damaged capture goes through source and parser without a trap; cut files report truncation")
    func everyCorruptFile() throws {
        let manifest = try SharedCorpus.manifest()
        let names = try FileManager.default.contentsOfDirectory(atPath: SharedCorpus.corruptDirectory).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let source = try PcapFileSource(path: SharedCorpus.corruptDirectory + "/" + name)
            let parser = PacketParser(linkType: source.linkType)
            var packet = ParsedPacket()
            var notOK = 0
            source.forEach { header, bytes in
                parser.parse(bytes, header: header, into: &packet)
                _ = parser.locatePayload(bytes)
                if packet.status != .ok { notOK += 1 }
            }
            guard let expected = manifest[name] else { continue }
            #expect(source.packetsRead == expected.packets, "\(name)")
            #expect(source.truncated == !expected.readError.isEmpty, "\(name): \(source.errorText ?? "no error")")
        }
    }

    @Test("Captures the manifest counts as header-cut yield truncated packets",
          arguments: ["zeek__ip4-trunc.pcap", "zeek__ip6-trunc.pcap", "zeek__trunc-hdr.pcap", "zeek__icmp-header-trunc.pcap"])
    func headerCutFiles(name: String) throws {
        let source = try PcapFileSource(path: SharedCorpus.corruptDirectory + "/" + name)
        let parser = PacketParser(linkType: source.linkType)
        var packet = ParsedPacket()
        var statuses: [ParsedPacket.Status] = []
        source.forEach { header, bytes in
            parser.parse(bytes, header: header, into: &packet)
            statuses.append(packet.status)
        }
        #expect(!statuses.isEmpty)
        #expect(statuses.contains(.truncated) || statuses.contains(.malformed), "\(name): \(statuses)")
    }
}
