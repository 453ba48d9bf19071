/// Counters of the sync socket itself, outside the replication engine.
public struct TransportCounters: Sendable, Hashable {
    /// Datagrams from an address other than the configured unicast peer (dropped unread).
    public var badSource: UInt64 = 0
    /// Outgoing datagrams the `[testing]` fault hook dropped.
    public var faultDropped: UInt64 = 0
    /// Outgoing datagrams the fault hook sent twice.
    public var faultDuplicated: UInt64 = 0
    /// Outgoing datagrams the fault hook sent out of order.
    public var faultReordered: UInt64 = 0
    /// Socket errors reported on the sync channel.
    public var socketErrors: UInt64 = 0
    /// Datagrams handed to the socket (after the fault hook).
    public var datagramsSent: UInt64 = 0

    /// All zero.
    public init() {}
}
