/// A firewall state as pfsync carries it: the union of the fields of FreeBSD's formats
/// 1301, 1400 and 1500 and OpenBSD's version-6 state.
///
/// Plain old data (no references), so the table can keep millions of them in unsafe
/// buffers and copy them with `memcpy`.
///
/// ## Times
/// In the ``StateTable`` and the tracker, ``creation`` and ``expire`` are absolute times in
/// seconds on the local node's clock: when the state was created and when it expires.
/// On the wire pfsync carries the age and the seconds remaining instead; the codec decodes
/// those verbatim into the same fields, and ``wireTimes(now:)`` / ``withLocalTimes(now:)``
/// convert between the two readings.
public struct PFState: Hashable, Sendable {
    /// State id and creator id.
    public var identity: StateID
    // The fields every packet and every replicated update touch come first, so that they
    // share the state's first two cache lines (declaration order is memory order).
    /// The peer that sent the first packet.
    public var src: StatePeer
    /// The other peer.
    public var dst: StatePeer
    /// See "Times" above.
    public var expire: UInt32
    /// Timeout class (pf's PFTM_* index: 0 tcp.first ... see ``TimeoutClass``).
    public var timeout: UInt8
    // Family, protocol and direction fill the padding before the counters; a replicated
    // update reads the protocol (pfsync's merge rules differ for TCP).
    /// Address family.
    public var af: AddressFamily
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    public var proto: UInt8
    /// 1 = in, 2 = out.
    public var direction: UInt8
    /// Packets per direction.
    public var packets: CounterPair
    /// Bytes per direction.
    public var bytes: CounterPair
    /// Interface the state is bound to ("all" or empty for floating states).
    public var ifname: InterfaceName
    /// Key 0: the wire side.
    public var wireKey: StateKey
    /// Key 1: the stack side (differs from the wire key under NAT).
    public var stackKey: StateKey
    /// Route-to address.
    public var rtAddr: IPAddress
    /// Rule numbers.
    public var rule: UInt32
    public var anchor: UInt32
    public var natRule: UInt32
    /// See "Times" above.
    public var creation: UInt32
    /// pf state flags (PFSTATE_*).
    public var stateFlags: UInt16
    /// pfsync flags (PFSYNC_FLAG_*).
    public var syncFlags: UInt8
    /// Number of coalesced updates (pfsync's `updates`).
    public var updates: UInt8
    /// Log flags.
    public var log: UInt8
    /// Route type (route-to, reply-to, dup-to).
    public var rt: UInt8
    /// Route-to interface.
    public var rtIfname: InterfaceName
    /// max-mss.
    public var maxMSS: UInt16
    /// ALTQ / dummynet / routing-table fields, kept for faithful round trips.
    public var qid: UInt16
    public var pqid: UInt16
    public var dnpipe: UInt16
    public var dnrpipe: UInt16
    public var rtableID: Int32
    /// OpenBSD's second routing table id (`rtableid[1]`).
    public var rtableID2: Int32
    public var minTTL: UInt8
    public var setTOS: UInt8
    public var setPrio0: UInt8
    public var setPrio1: UInt8
    /// FreeBSD 15 (format 1500): the stack-side protocol (`stack_proto`); 0 means "same as
    /// ``proto``" (the codec writes ``proto`` then). Differs from ``proto`` only under af-to.
    public var stackProto: UInt8
    /// FreeBSD 15 (format 1500): the family of ``rtAddr`` (`rt_af`); nil when not carried.
    public var rtAF: AddressFamily?
    /// FreeBSD 15 (format 1500): the tag the state carries (`tagname`).
    public var tagName: TagName
    /// FreeBSD 15 (format 1500): the real interface of a floating state (`orig_ifname`).
    public var origIfname: InterfaceName
    /// Unused: rounds the state up to whole cache lines (384 bytes), so that in the
    /// table's slab every state starts on a line and its hot fields share two lines.
    @usableFromInline var lineFill: UInt64 = 0

    /// Creates a state; everything not given is zero. Inlinable, so that a decoder in
    /// another module can build a state where it is to be kept instead of in a temporary
    /// it then copies (384 bytes).
    @inlinable
    public init(
        identity: StateID,
        af: AddressFamily = .inet,
        proto: UInt8 = 6,
        direction: UInt8 = 1,
        wireKey: StateKey = .zero,
        stackKey: StateKey? = nil,
        ifname: InterfaceName = .empty
    ) {
        self.identity = identity
        self.ifname = ifname
        self.af = af
        self.proto = proto
        self.direction = direction
        self.wireKey = wireKey
        self.stackKey = stackKey ?? wireKey
        self.src = .empty
        self.dst = .empty
        self.rtAddr = .zero
        self.rule = 0
        self.anchor = 0
        self.natRule = 0
        self.creation = 0
        self.expire = 0
        self.packets = .zero
        self.bytes = .zero
        self.timeout = 0
        self.stateFlags = 0
        self.syncFlags = 0
        self.updates = 0
        self.log = 0
        self.rt = 0
        self.rtIfname = .empty
        self.maxMSS = 0
        self.qid = 0
        self.pqid = 0
        self.dnpipe = 0
        self.dnrpipe = 0
        self.rtableID = 0
        self.rtableID2 = 0
        self.minTTL = 0
        self.setTOS = 0
        self.setPrio0 = 0
        self.setPrio1 = 0
        self.stackProto = 0
        self.rtAF = nil
        self.tagName = .empty
        self.origIfname = .empty
    }

    /// The lookup key for key 0 (wire side).
    @inlinable
    public var wireLookupKey: StateLookupKey { StateLookupKey(key: wireKey, proto: proto) }
    /// The lookup key for key 1 (stack side).
    @inlinable
    public var stackLookupKey: StateLookupKey { StateLookupKey(key: stackKey, proto: proto) }

    /// Converts absolute local times to the wire reading (age, seconds remaining) at `now`.
    public func wireTimes(now: UInt32) -> PFState {
        var copy = self
        copy.creation = now >= creation ? now - creation : 0
        copy.expire = Self.secondsRemaining(until: expire, now: now)
        return copy
    }

    /// The wire's reading of an absolute expiry time: seconds from `now` until `expire`,
    /// 0 once it has passed.
    @inlinable @inline(__always)
    public static func secondsRemaining(until expire: UInt32, now: UInt32) -> UInt32 {
        expire >= now ? expire - now : 0
    }

    /// Converts the wire reading (age, seconds remaining) to absolute local times at `now`.
    public func withLocalTimes(now: UInt32) -> PFState {
        var copy = self
        copy.creation = now >= creation ? now - creation : 0
        copy.expire = now &+ expire
        return copy
    }
}

/// pf's timeout classes (PFTM_*), the value of ``PFState/timeout``.
public enum TimeoutClass: UInt8, Sendable, CaseIterable {
    case tcpFirstPacket = 0
    case tcpOpening = 1
    case tcpEstablished = 2
    case tcpClosing = 3
    case tcpFinWait = 4
    case tcpClosed = 5
    case udpFirstPacket = 6
    case udpSingle = 7
    case udpMultiple = 8
    case icmpFirstPacket = 9
    case icmpErrorReply = 10
    case otherFirstPacket = 11
    case otherSingle = 12
    case otherMultiple = 13
    case fragment = 14
    case interval = 15
    /// PFTM_PURGE: the state is about to be removed.
    case purge = 18
    /// PFTM_UNLINKED.
    case unlinked = 19
}
