/// A `BUS` message (12 bytes): the start or end of a bulk update.
public struct BulkStatus: Sendable, Hashable {
    /// The sender's creator id.
    public var creatorID: UInt32
    /// Sender's uptime in seconds when the bulk update ended (`endtime`).
    public var endTime: UInt32
    /// ``start`` (1) or ``end`` (2).
    public var status: UInt8

    /// PFSYNC_BUS_START.
    public static let start: UInt8 = 1
    /// PFSYNC_BUS_END.
    public static let end: UInt8 = 2

    /// Creates a bulk status message.
    @inlinable
    public init(creatorID: UInt32, endTime: UInt32, status: UInt8) {
        self.creatorID = creatorID
        self.endTime = endTime
        self.status = status
    }
}
