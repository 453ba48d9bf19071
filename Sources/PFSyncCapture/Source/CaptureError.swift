/// Why a packet source could not be opened or configured.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read (`reason` is the system's message).
    case cannotOpen(path: String, reason: String)
    /// The file exists but is not a pcap or pcapng capture (`reason` is libpcap's message).
    case notACapture(path: String, reason: String)
    /// A `.pcap.gz` file could not be decompressed.
    case decompressionFailed(path: String, reason: String)
    /// A live capture could not be set up; `stage` names the libpcap call that failed.
    case liveSetupFailed(interface: String, stage: String, reason: String)
    /// The BPF filter expression does not compile or cannot be installed.
    case invalidFilter(filter: String, reason: String)

    /// A one-line message for the user.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason)"
        case let .notACapture(path, reason):
            return "\(path) is not a pcap or pcapng capture: \(reason)"
        case let .decompressionFailed(path, reason):
            return "cannot decompress \(path): \(reason)"
        case let .liveSetupFailed(interface, stage, reason):
            return "cannot capture on \(interface): \(stage) failed: \(reason)"
        case let .invalidFilter(filter, reason):
            return "invalid capture filter \"\(filter)\": \(reason)"
        }
    }
}
