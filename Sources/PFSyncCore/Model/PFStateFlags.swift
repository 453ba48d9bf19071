/// Bits of ``PFState/stateFlags`` (pf's `PFSTATE_*`, the same on FreeBSD and OpenBSD).
public enum PFStateFlags {
    /// `PFSTATE_ALLOWOPTS`: IP options allowed.
    public static let allowOptions: UInt16 = 0x0001
    /// `PFSTATE_SLOPPY`: sloppy TCP window tracking.
    public static let sloppy: UInt16 = 0x0002
    /// `PFSTATE_NOSYNC`: not replicated.
    public static let noSync: UInt16 = 0x0008
    /// `PFSTATE_ACK`: set in an INS whose sender defers a packet; the receiver answers with
    /// INS_ACK at once and clears the bit.
    public static let ack: UInt16 = 0x0010
}
