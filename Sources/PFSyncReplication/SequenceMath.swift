/// TCP sequence-number comparison modulo 2^32 (RFC 1982 serial arithmetic), as pf's
/// `SEQ_GT` / `SEQ_GEQ` / `SEQ_LT` macros.
public enum SequenceMath {
    /// a > b modulo 2^32.
    @inlinable
    public static func greater(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }
    /// a >= b modulo 2^32.
    @inlinable
    public static func greaterOrEqual(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) >= 0 }
    /// a < b modulo 2^32.
    @inlinable
    public static func less(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
}
