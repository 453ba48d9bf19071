import Foundation
import PFSyncCapture
import PFSyncCore
import Testing

@Suite("PcapFileSource: opening, reading, truncation, pcapng and gzip")
struct PcapFileSourceTests {
    typealias B = FrameBuilder

    static let frames: [[UInt8]] = (0..<3).map { index in
        B.ethernet(type: 0x0800, payload: B.ipv4(proto: 17, payload: B.udp(src: UInt16(100 + index), dst: 53, payload: [UInt8](repeating: 0, count: 10))))
    }

    /// Reads every packet's source port and header.
    func read(_ source: PcapFileSource) -> [(CapturedPacketHeader, UInt16)] {
        let parser = PacketParser(linkType: source.linkType)
        var packet = ParsedPacket()
        var result: [(CapturedPacketHeader, UInt16)] = []
        source.forEach { header, bytes in
            parser.parse(bytes, header: header, into: &packet)
            result.append((header, packet.srcPort))
        }
        return result
    }

    @Test("A classic pcap: link type, headers with time and lengths, packets in order")
    func classic() throws {
        let path = try CaptureFileWriter.temporaryFile(CaptureFileWriter.pcap(linkType: 1, frames: Self.frames))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapFileSource(path: path)
        #expect(source.linkType == .ethernet)
        #expect(source.snapshotLength == 65535)
        let packets = read(source)
        #expect(packets.map(\.1) == [100, 101, 102])
        #expect(packets[1].0.seconds == 1_700_000_001)
        #expect(packets[1].0.microseconds == 250_000)
        #expect(packets[1].0.captureLength == UInt32(Self.frames[1].count))
        #expect(packets[1].0.wireLength == UInt32(Self.frames[1].count))
        #expect(source.packetsRead == 3)
        #expect(!source.truncated && source.errorText == nil)
        #expect(source.next { _, _ in } == .end)
    }

    @Test("pcapng through the same source")
    func pcapng() throws {
        let path = try CaptureFileWriter.temporaryFile(CaptureFileWriter.pcapng(linkType: 1, frames: Self.frames), suffix: ".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapFileSource(path: path)
        #expect(source.linkType == .ethernet)
        let packets = read(source)
        #expect(packets.map(\.1) == [100, 101, 102])
        #expect(packets[0].0.seconds == 1_700_000_000 && packets[0].0.microseconds == 5)
        #expect(!source.truncated)
    }

    @Test("A file cut in the middle of a record: packets before the cut, then truncated with libpcap's text")
    func cutMidRecord() throws {
        let whole = CaptureFileWriter.pcap(linkType: 1, frames: Self.frames)
        let path = try CaptureFileWriter.temporaryFile(Array(whole.dropLast(5)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapFileSource(path: path)
        #expect(read(source).map(\.1) == [100, 101])
        #expect(source.truncated)
        #expect(source.errorText?.contains("truncated") == true)
    }

    @Test("A missing file is cannotOpen; a text file is notACapture; both say why")
    func openErrors() throws {
        #expect(throws: CaptureError.self) { try PcapFileSource(path: "/nonexistent/dir/x.pcap") }
        do {
            _ = try PcapFileSource(path: "/nonexistent/dir/x.pcap")
        } catch {
            guard case .cannotOpen(let path, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(path == "/nonexistent/dir/x.pcap")
            #expect(reason.contains("No such file"))
        }
        let text = try CaptureFileWriter.temporaryFile(Array("hello, this is not a capture\n".utf8), suffix: ".txt")
        defer { try? FileManager.default.removeItem(atPath: text) }
        do {
            _ = try PcapFileSource(path: text)
            Issue.record("a text file opened as a capture")
        } catch {
            guard case .notACapture = error else { Issue.record("got \(error)"); return }
            #expect(error.description.contains("not a pcap or pcapng capture"))
        }
    }

    @Test("A gzip-compressed pcap is decompressed on the fly")
    func gzip() throws {
        let path = try CaptureFileWriter.temporaryFile(CaptureFileWriter.pcap(linkType: 1, frames: Self.frames))
        defer {
            // gzip replaces the file with path.gz (the original stays if gzip fails).
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".gz")
        }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-f", path]
        try gzip.run()
        gzip.waitUntilExit()
        try #require(gzip.terminationStatus == 0)
        let source = try PcapFileSource(path: path + ".gz")
        #expect(source.linkType == .ethernet)
        #expect(read(source).map(\.1) == [100, 101, 102])
        #expect(!source.truncated)
    }

    @Test("A gzip file that is not a capture inside is notACapture")
    func gzipOfText() throws {
        let path = try CaptureFileWriter.temporaryFile(Array("plain text\n".utf8), suffix: ".txt")
        defer {
            // gzip replaces the file with path.gz (the original stays if gzip fails).
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".gz")
        }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-f", path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(throws: CaptureError.self) { try PcapFileSource(path: path + ".gz") }
    }
}
