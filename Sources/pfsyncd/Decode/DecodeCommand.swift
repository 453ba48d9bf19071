import ArgumentParser
import PFSyncCapture
import PFSyncWire

/// `pfsyncd decode FILE [--json] [--key-file PATH]`: prints every pfsync message in a capture.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print the pfsync messages in a capture file (pcap, pcapng, .pcap.gz).",
        discussion: """
            Finds pfsync packets (IP protocol 240, IPv4 and IPv6) and pfsyncd sync frames (UDP, \
            any port, recognised by their magic) and prints one line per message. Bad or cut \
            packets print an error line and decoding goes on.
            """
    )

    /// The capture to read.
    @Argument(help: "A pcap, pcapng or gzip-compressed pcap file.")
    var file: String

    /// JSON lines instead of text.
    @Flag(help: "Print one JSON object per message per line.")
    var json = false

    /// The sync key, to verify sync frames' tags.
    @Option(help: "The pfsyncd key file: verify sync frames' tags (without it they are not checked).")
    var keyFile: String?

    func run() throws {
        let key: SyncKey?
        do {
            key = try keyFile.map { path throws(SyncKeyError) in try SyncKey.load(path: path) }
        } catch {
            OutputBuffer.standardError("pfsyncd decode: \(error)")
            throw ExitCode(1)
        }
        let source: PcapFileSource
        do {
            source = try PcapFileSource(path: file)
        } catch {
            OutputBuffer.standardError("pfsyncd decode: \(error)")
            throw ExitCode(1)
        }
        if !source.linkType.isSupported {
            OutputBuffer.standardError("pfsyncd decode: warning: link type \(source.linkType) is not supported; no packets can be decoded")
        }
        var decoder = CaptureDecoder(
            linkType: source.linkType, format: json ? .json : .text, key: key,
            output: OutputBuffer(descriptor: 1))
        var number = 0
        source.forEach { header, bytes in
            number += 1
            decoder.decode(bytes, header: header, number: number)
        }
        decoder.finish()
        if source.truncated {
            OutputBuffer.standardError(
                "pfsyncd decode: warning: \(file) ends early after \(number) packets: \(source.errorText ?? "read error")")
        }
    }
}
