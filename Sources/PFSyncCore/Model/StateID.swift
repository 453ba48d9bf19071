/// The identity of a pf state across a cluster: the 64-bit id chosen by the node that
/// created the state, and that node's `creatorid`.
///
/// pfsync carries `id` as 8 opaque bytes; pfsyncd reads them as one big-endian number.
public struct StateID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The state id (big-endian reading of the 8 wire bytes).
    public var id: UInt64
    /// The creator (node) id.
    public var creatorID: UInt32

    /// Creates a state identity.
    @inlinable
    public init(id: UInt64, creatorID: UInt32) {
        self.id = id
        self.creatorID = creatorID
    }

    /// `UPD_REQ` with id 0 and creatorid 0 asks for a bulk update.
    public static let bulkRequest = StateID(id: 0, creatorID: 0)

    @inlinable
    public static func < (lhs: StateID, rhs: StateID) -> Bool {
        (lhs.creatorID, lhs.id) < (rhs.creatorID, rhs.id)
    }

    /// `0x<16 hex digits>/0x<8 hex digits>`.
    public var description: String {
        "\(Hex.u64(id))/\(Hex.u32(creatorID))"
    }
}

/// Fixed-width lowercase hexadecimal formatting, as `pfsyncd decode` prints ids.
public enum Hex {
    /// "0x" followed by exactly 16 lowercase hex digits.
    public static func u64(_ value: UInt64) -> String { pad(value, digits: 16) }
    /// "0x" followed by exactly 8 lowercase hex digits.
    public static func u32(_ value: UInt32) -> String { pad(UInt64(value), digits: 8) }

    private static func pad(_ value: UInt64, digits: Int) -> String {
        let raw = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - raw.count)) + raw
    }
}
