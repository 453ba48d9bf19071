import PFSyncCore

/// Which TCP flag combinations the tracker refuses as invalid.
///
/// pf itself checks flags only in its normaliser (`scrub`, `pf_normalize_tcp`); the tracker
/// applies those checks always, because such packets are scans or garbage, never part of a
/// session. Refused (verdict ``Verdict/invalid``):
/// - SYN with RST;
/// - SYN with FIN (pf's scrub strips the FIN; a passive tracker cannot rewrite, so it
///   refuses the packet instead);
/// - none of SYN, ACK, RST (null scans, a bare FIN);
/// - FIN, PSH or URG without ACK (Xmas scans).
public enum TCPFlagPolicy {
    /// True when pf's normaliser would let a segment with these flags through.
    @inlinable
    public static func isAcceptable(_ flags: UInt8) -> Bool {
        typealias F = ParsedPacket.TCPFlags
        if flags & F.syn != 0 {
            if flags & (F.rst | F.fin) != 0 { return false }
        } else if flags & (F.ack | F.rst) == 0 {
            return false
        }
        if flags & F.ack == 0 && flags & (F.fin | F.psh | F.urg) != 0 {
            return false
        }
        return true
    }
}
