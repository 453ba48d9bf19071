import Foundation
import PFSyncCapture
import PFSyncCore
import Testing

@Suite("Shared captures: packet counts and IP versions agree with MANIFEST.tsv",
       .enabled(if: SharedCorpus.isPresent, "../shared/pcaps is absent"))
struct SharedCorpusTests {
    @Test("Every undamaged capture (including .pcap.gz): packets, IPv4 and IPv6 packet counts")
    func countsMatchManifest() throws {
        let rows = try SharedCorpus.rows()
        let paths = rows.keys.filter { !$0.hasPrefix("corrupt/") }.sorted()
        #expect(!paths.isEmpty)
        for path in paths {
            guard let row = rows[path] else { continue }
            let source = try PcapFileSource(path: SharedCorpus.directory + "/" + path)
            let parser = PacketParser(linkType: source.linkType)
            var packet = ParsedPacket()
            var ipv4 = 0, ipv6 = 0
            source.forEach { header, bytes in
                parser.parse(bytes, header: header, into: &packet)
                if packet.status != .notIP {
                    if packet.af == .inet { ipv4 += 1 } else { ipv6 += 1 }
                }
            }
            #expect(!source.truncated, "\(path): \(source.errorText ?? "")")
            #expect(String(source.packetsRead) == row["packets"], "\(path)")
            #expect(String(ipv4) == row["ipv4_pkts"], "\(path) IPv4")
            #expect(String(ipv6) == row["ipv6_pkts"], "\(path) IPv6")
        }
    }
}
