import PFSyncCore

/// How the tracker behaves: timeouts, strictness, and the identity it stamps on new states.
public struct TrackerConfig: Sendable, Equatable {
    /// State timeouts (pf's defaults unless changed).
    public var timeouts: TrackerTimeouts
    /// Track TCP like pf's `keep state (sloppy)`: the state machine only, no sequence
    /// window checks (for asymmetric paths and captures that start mid-connection).
    /// New states get ``PFStateFlags/sloppy``; tracking follows each state's flag.
    public var sloppy: Bool
    /// Create a TCP state from any TCP packet without a state (pf's `flags any`), not only
    /// from a SYN without ACK (pf's default `flags S/SA`).
    public var createOnAnyTCP: Bool
    /// The creator id stamped on new states (pf's `hostid`).
    public var creatorID: UInt32
    /// The interface new states are bound to (empty: floating, pf's default).
    public var ifname: InterfaceName
    /// The direction the tracker sees first packets in: 1 = in (pf's PF_IN), 2 = out.
    /// It decides the order of the wire key: for `in` addr0/port0 are the first packet's
    /// source, for `out` its destination (as pf keys states).
    public var direction: UInt8

    /// Creates a configuration. `createOnAnyTCP` defaults to `sloppy` (a sloppy tracker
    /// picks up connections in the middle, as pf's `keep state (sloppy)` with no flags).
    public init(
        timeouts: TrackerTimeouts = .pfDefaults,
        sloppy: Bool = false,
        createOnAnyTCP: Bool? = nil,
        creatorID: UInt32 = 0,
        ifname: InterfaceName = .empty,
        direction: UInt8 = PFDirection.inbound
    ) {
        self.timeouts = timeouts
        self.sloppy = sloppy
        self.createOnAnyTCP = createOnAnyTCP ?? sloppy
        self.creatorID = creatorID
        self.ifname = ifname
        self.direction = direction == PFDirection.outbound ? PFDirection.outbound : PFDirection.inbound
    }
}

/// pf's packet directions as stored in ``PFState/direction``.
public enum PFDirection {
    /// PF_IN.
    public static let inbound: UInt8 = 1
    /// PF_OUT.
    public static let outbound: UInt8 = 2
}
