import Foundation
import PFSyncCapture
import PFSyncCore
import Testing

/// The shared corpus of damaged captures; absent on machines without /work/shared.
enum SharedCorpus {
    static let directory = SharedPcaps.root
    static let corruptDirectory = directory + "/corrupt"
    static var isPresent: Bool { FileManager.default.fileExists(atPath: corruptDirectory) }

    /// MANIFEST.tsv (CRLF lines, tab-separated): path -> column name -> value.
    static func rows() throws -> [String: [String: String]] {
        let text = try String(contentsOfFile: directory + "/MANIFEST.tsv", encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else { return [:] }
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count, let path = fields.first else { continue }
            rows[path] = Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
        return rows
    }
}

@Suite("Damaged captures from ../shared/pcaps/corrupt", .enabled(if: SharedCorpus.isPresent, "../shared/pcaps/corrupt is absent"))
struct CorruptCaptureTests {
    @Test("Every damaged capture goes through source and parser without a trap; cut files report truncation")
    func everyCorruptFile() throws {
        let rows = try SharedCorpus.rows()
        let names = try FileManager.default.contentsOfDirectory(atPath: SharedCorpus.corruptDirectory).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let source = try PcapFileSource(path: SharedCorpus.corruptDirectory + "/" + name)
            let parser = PacketParser(linkType: source.linkType)
            var packet = ParsedPacket()
            source.forEach { header, bytes in
                parser.parse(bytes, header: header, into: &packet)
                _ = parser.locatePayload(bytes)
            }
            let path = SharedCorpus.corruptDirectory + "/" + name
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let walk = try #require(ClassicPcapWalker(bytes), "\(name) is not a classic pcap")
            #expect(source.packetsRead == walk.completeRecords, "\(name)")
            #expect(source.truncated == walk.endsInsideRecord, "\(name): \(source.errorText ?? "no error")")
            if walk.endsInsideRecord {
                #expect(source.errorText?.contains("truncated") == true, "\(name)")
            }
            // The manifest's reader saw a cut record too wherever it reported a read error.
            let row = try #require(rows["corrupt/" + name], "\(name) is not in MANIFEST.tsv")
            if !(row["read_error"] ?? "").isEmpty {
                #expect(source.truncated, "\(name)")
            }
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
