import PFSyncCore

/// An `UPD_C` message (84 bytes): the parts of a state that change after creation.
public struct CompressedUpdate: Sendable, Hashable {
    /// Which state.
    public var identity: StateID
    /// The peer that sent the first packet.
    public var src: StatePeer
    /// The other peer.
    public var dst: StatePeer
    /// Seconds remaining until the state expires (wire reading).
    public var expire: UInt32
    /// Timeout class (PFTM_*).
    public var timeout: UInt8
    /// OpenBSD's `state_flags` byte; always 0 for FreeBSD (padding there).
    public var stateFlags: UInt8
    /// pfsyncd extension: the state's packet and byte counters. When set, the message is
    /// sent as `UPD_CC` (action 240, 116 bytes: UPD_C then packets[2][2] and bytes[2][2] as
    /// in the full state). Only pfsyncd sync frames carry it; plain pfsync sends UPD_C.
    public var counters: StateCounters?

    /// Creates a compressed update.
    @inlinable
    public init(
        identity: StateID, src: StatePeer = .empty, dst: StatePeer = .empty,
        expire: UInt32 = 0, timeout: UInt8 = 0, stateFlags: UInt8 = 0
    ) {
        self.identity = identity
        self.src = src
        self.dst = dst
        self.expire = expire
        self.timeout = timeout
        self.stateFlags = stateFlags
        self.counters = nil
    }
}

/// A state's packet and byte counters, per direction.
public struct StateCounters: Sendable, Hashable {
    /// Packets per direction.
    public var packets: CounterPair
    /// Bytes per direction.
    public var bytes: CounterPair

    /// Creates counters.
    @inlinable
    public init(packets: CounterPair, bytes: CounterPair) {
        self.packets = packets
        self.bytes = bytes
    }
}
