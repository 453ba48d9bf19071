import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads packets from a pcap or pcapng file (also gzip-compressed, decompressed by `gzip -dc`).
///
/// A file that ends in the middle of a record is not an error: reading stops, ``truncated``
/// becomes true and ``errorText`` holds libpcap's message ("truncated dump file; ...").
public final class PcapFileSource {
    /// The path given to ``init(path:)``.
    public let path: String
    /// The file's link-layer header type.
    public let linkType: LinkType
    /// The snapshot length recorded in the file.
    public let snapshotLength: Int32
    /// True when reading stopped at a cut or damaged record rather than a clean end of file.
    public private(set) var truncated = false
    /// libpcap's message when reading stopped early; nil after a clean end.
    public private(set) var errorText: String?
    /// Packets handed out so far.
    public private(set) var packetsRead = 0

    private var handle: OpaquePointer?
    private var decompressor: GzipPipe?

    /// Opens `path`.
    /// - Throws: ``CaptureError/cannotOpen(path:reason:)`` for a missing or unreadable file,
    ///   ``CaptureError/notACapture(path:reason:)`` for anything that is not pcap / pcapng,
    ///   ``CaptureError/decompressionFailed(path:reason:)`` when gzip cannot be run.
    public init(path: String) throws(CaptureError) {
        self.path = path
        guard let file = fopen(path, "rb") else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        var magic: (UInt8, UInt8) = (0, 0)
        let got = withUnsafeMutableBytes(of: &magic) { fread($0.baseAddress, 1, 2, file) }
        var stream = file
        if got == 2 && magic == (0x1f, 0x8b) {
            fclose(file)
            let pipe = try GzipPipe(path: path)
            decompressor = pipe
            stream = pipe.stream
        } else {
            rewind(file)
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let opened = pcap_fopen_offline(stream, &errorBuffer) else {
            fclose(stream)
            decompressor?.finish()
            throw .notACapture(path: path, reason: PcapReader.text(errorBuffer))
        }
        handle = opened
        linkType = LinkType(rawValue: pcap_datalink(opened))
        snapshotLength = pcap_snapshot(opened)
    }

    deinit { close() }

    /// Reads the next packet and hands it to `body`. The bytes are valid only inside `body`.
    /// - Returns: `.packet` when `body` ran, `.end` at the end of the file (clean or not).
    @discardableResult
    public func next(
        _ body: (CapturedPacketHeader, UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> ReadOutcome {
        guard let handle else { return .end }
        switch PcapReader.step(handle) {
        case let .packet(header, bytes):
            packetsRead += 1
            try body(header, bytes)
            return .packet
        case .timeout:
            return .timeout
        case .endOfFile, .broken:
            close()
            return .end
        case let .failed(message):
            truncated = true
            errorText = message
            close()
            return .end
        }
    }

    /// Hands every remaining packet to `body`, in file order.
    public func forEach(
        _ body: (CapturedPacketHeader, UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        while try next(body) == .packet {}
    }

    /// Releases the file (also done on deinit). Further reads return `.end`.
    public func close() {
        if let handle {
            pcap_close(handle)
            self.handle = nil
        }
        if let pipe = decompressor {
            decompressor = nil
            if let failure = pipe.finish(), errorText == nil {
                truncated = true
                errorText = failure
            }
        }
    }
}
