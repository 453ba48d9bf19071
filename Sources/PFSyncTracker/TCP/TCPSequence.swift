/// TCP sequence-space arithmetic and pf's window constants.
enum TCPSequence {
    /// pf's MAXACKWINDOW: 0xffff + 1500 (a window plus a fudge factor).
    static let maxAckWindow: UInt32 = 0xffff + 1500
    /// PF_WSCALE_FLAG: the peer offered window scaling.
    static let wscaleFlag: UInt8 = 0x80
    /// PF_WSCALE_MASK: the shift count.
    static let wscaleMask: UInt8 = 0x0f
    /// TCP_MAX_WINSHIFT.
    static let maxWindowShift: UInt8 = 14
    /// TCP_MAXWIN.
    static let maxWindow: UInt32 = 65_535

    /// SEQ_GEQ(a, b): a is at or after b in sequence space.
    @inline(__always)
    static func geq(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) >= 0 }

    /// SEQ_GT(a, b): a is after b in sequence space.
    @inline(__always)
    static func gt(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }

    /// The shift count stored in a peer's `wscale`.
    @inline(__always)
    static func shift(_ wscale: UInt8) -> UInt32 { UInt32(wscale & wscaleMask) }
}
