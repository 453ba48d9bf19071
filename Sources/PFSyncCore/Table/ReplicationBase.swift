/// What a delta-encoding peer was last told about a state: the fields of an `UPD_C` with
/// counters, as they stood when they were last sent (at the sender) or last received (at
/// the receiver), with the version of that message.
///
/// A delta update carries only what changed since the base, and the version it makes the
/// base. A receiver applies it only when its base holds the version just before; anything
/// else (a restart, a lost frame, a table rebuilt by a bulk update) means the two bases may
/// differ, and the receiver asks for the full state instead (pfsync's UPD_REQ).
///
/// Each table slot holds two, reset to ``none`` when a state is stored in the slot: the
/// one this node's own delta updates of the state are encoded against (``Side/sent``) and
/// the one the peer's are decoded against (``Side/received``). Keeping them apart makes
/// the two directions independent: when both nodes update a state at the same moment
/// (both see its packets, or a handover), their deltas cross without spoiling each other.
public struct ReplicationBase: Sendable, Hashable {
    /// Which of a state's two bases.
    public enum Side: Sendable, Hashable {
        /// What this node last sent about the state.
        case sent
        /// What this node last received about the state.
        case received
    }

    /// The first packet's side, as last sent.
    public var src: StatePeer
    /// The other side, as last sent.
    public var dst: StatePeer
    /// Packet counters, as last sent.
    public var packets: CounterPair
    /// Byte counters, as last sent.
    public var bytes: CounterPair
    /// Seconds remaining until expiry (the wire's reading), as last sent.
    public var expire: UInt32
    /// Timeout class, as last sent.
    public var timeout: UInt8
    /// The version of the last message the base took in (wraps at 256).
    public var version: UInt8
    /// Which sender epoch the base belongs to; 0: no base.
    public var epoch: UInt32
    /// Pads the base to 128 bytes: in the table's 2 MiB-aligned arrays each base then
    /// spans exactly two cache lines, never three.
    private var padding0: UInt64 = 0
    private var padding1: UInt64 = 0
    private var padding2: UInt64 = 0

    /// Creates a base.
    @inlinable
    public init(
        src: StatePeer = .empty, dst: StatePeer = .empty, packets: CounterPair = CounterPair(),
        bytes: CounterPair = CounterPair(), expire: UInt32 = 0, timeout: UInt8 = 0,
        version: UInt8 = 0, epoch: UInt32 = 0
    ) {
        self.src = src
        self.dst = dst
        self.packets = packets
        self.bytes = bytes
        self.expire = expire
        self.timeout = timeout
        self.version = version
        self.epoch = epoch
    }

    /// The base a full message about `state` sets on both sides (UPD_CC, or an INS):
    /// version 0, its peers, counters and timeout, with `expire` as the wire carries it
    /// (seconds remaining). Reads only those fields of the state.
    @inlinable
    public init(of state: UnsafePointer<PFState>, expire: UInt32, epoch: UInt32) {
        self.init(
            src: state.pointee.src, dst: state.pointee.dst, packets: state.pointee.packets,
            bytes: state.pointee.bytes, expire: expire, timeout: state.pointee.timeout, version: 0, epoch: epoch)
    }

    /// No base: the next update of the state must be sent in full.
    public static let none = ReplicationBase()

    /// True when the base belongs to `epoch` (never for epoch 0).
    @inlinable
    public func isValid(in epoch: UInt32) -> Bool {
        epoch != 0 && self.epoch == epoch
    }
}
