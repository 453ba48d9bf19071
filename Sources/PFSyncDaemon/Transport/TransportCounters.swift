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
    /// New sockets opened after SwiftNIO closed the previous one on an error.
    public var socketReopens: UInt64 = 0
    /// Datagrams handed to the socket (after the fault hook).
    public var datagramsSent: UInt64 = 0
    /// UDP GSO writes: each carried several of ``datagramsSent`` (padded frames of a burst).
    public var segmentedWrites: UInt64 = 0
    /// Zero bytes sent to pad frames to one size in GSO writes (on the wire, not in
    /// `bytes_sent`, which counts frames).
    public var paddingBytes: UInt64 = 0
    /// GSO writes the socket refused; after the first, the link sends one datagram per
    /// write (the lost frames come back through NACKs).
    public var segmentationFailures: UInt64 = 0
    /// GRO reads: buffers that held several datagrams, split back into them (each of which
    /// the engine counts as one received datagram).
    public var coalescedReads: UInt64 = 0

    /// All zero.
    public init() {}
}
