import CPcap

/// The shared `pcap_next_ex` loop of the file and live sources.
///
/// Hands the caller libpcap's own buffer (valid only during the closure) and a header copied
/// into a value: nothing is allocated per packet.
struct PcapReader {
    /// Result of one `pcap_next_ex` call, before the caller's closure runs.
    enum Step {
        case packet(CapturedPacketHeader, UnsafeRawBufferPointer)
        case timeout
        case endOfFile
        case broken
        case failed(String)
    }

    /// Reads the next packet of `handle`.
    static func step(_ handle: OpaquePointer) -> Step {
        var headerPointer: UnsafeMutablePointer<pcap_pkthdr>?
        var dataPointer: UnsafePointer<UInt8>?
        let code = pcap_next_ex(handle, &headerPointer, &dataPointer)
        switch code {
        case 1:
            guard let raw = headerPointer else { return .failed("libpcap returned no header") }
            let record = raw.pointee
            let header = CapturedPacketHeader(
                seconds: Int64(record.ts.tv_sec),
                microseconds: Int32(truncatingIfNeeded: record.ts.tv_usec),
                captureLength: record.caplen,
                wireLength: record.len
            )
            let count = Int(record.caplen)
            let bytes = UnsafeRawBufferPointer(start: dataPointer.map { UnsafeRawPointer($0) }, count: dataPointer == nil ? 0 : count)
            return .packet(header, bytes)
        case 0:
            return .timeout
        case PCAP_ERROR_BREAK:
            return .endOfFile
        default:
            return .failed(errorText(handle))
        }
    }

    /// The NUL-terminated text in an error buffer.
    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// libpcap's last error message for `handle`.
    static func errorText(_ handle: OpaquePointer) -> String {
        guard let text = pcap_geterr(handle) else { return "unknown libpcap error" }
        return String(cString: text)
    }
}
