/// The pfsync statistics counter a frame error is charged to. Raw values are the counter
/// names `netstat -s -p pfsync` prints, so they merge with the codec's counters by name.
public enum SyncFrameCounter: String, Sendable, CaseIterable {
    /// Datagram shorter than a frame header plus tag.
    case hdrops
    /// Not a pfsyncd frame, or a version / flag / reserved bit this code does not speak.
    case badver
    /// Unknown frame kind.
    case badact
    /// Authentication tag did not verify.
    case badauth
    /// Inconsistent lengths.
    case badlen
    /// Malformed payload: LZ4 failure, oversize raw length, bad control payload.
    case badval
    /// Send side: the frame could not be built.
    case oerrors
}
