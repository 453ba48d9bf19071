import PFSyncCore

/// pfsyncd's delta update: what changed in a state since its ``ReplicationBase``, and the
/// version that makes the new base. The compact alternative to `UPD_CC` (116 bytes) in
/// pfsyncd sync frames: a TCP update that moves a sequence number and the counters takes
/// about 10-16 bytes. PROTOCOL.md, "Delta updates", has the record layout.
public struct DeltaUpdate: Sendable, Hashable {
    /// Which state.
    public var identity: StateID
    /// The base version this update produces (the receiver's base must hold the one before).
    public var version: UInt8
    /// Which fields follow.
    public var fields: DeltaFields
    /// Differences (new minus old, wrapping) of src.seqLo, src.seqHi, dst.seqLo, dst.seqHi.
    public var srcSeqLo: UInt32 = 0
    public var srcSeqHi: UInt32 = 0
    public var dstSeqLo: UInt32 = 0
    public var dstSeqHi: UInt32 = 0
    /// Increments (wrapping) of the packet and byte counters.
    public var packets = CounterPair()
    public var bytes = CounterPair()
    /// New values.
    public var expire: UInt32 = 0
    public var srcMaxWin: UInt16 = 0
    public var dstMaxWin: UInt16 = 0
    public var timeout: UInt8 = 0
    /// The other peer fields (state, wscale, mss, seqDiff, scrub) when ``DeltaFields/srcOther``
    /// / ``DeltaFields/dstOther`` is set; sequence numbers and window in them are unused.
    public var srcOther = StatePeer.empty
    public var dstOther = StatePeer.empty

    /// An update of `identity` carrying nothing yet.
    @inlinable
    public init(identity: StateID, version: UInt8) {
        self.identity = identity
        self.version = version
        self.fields = []
    }

    /// The update that turns `old` into `new` (version: `old.version &+ 1`).
    public init(identity: StateID, from old: ReplicationBase, to new: ReplicationBase) {
        self.init(identity: identity, version: old.version &+ 1)
        var fields: DeltaFields = []
        if new.src.seqLo != old.src.seqLo { fields.insert(.srcSeqLo); srcSeqLo = new.src.seqLo &- old.src.seqLo }
        if new.src.seqHi != old.src.seqHi { fields.insert(.srcSeqHi); srcSeqHi = new.src.seqHi &- old.src.seqHi }
        if new.dst.seqLo != old.dst.seqLo { fields.insert(.dstSeqLo); dstSeqLo = new.dst.seqLo &- old.dst.seqLo }
        if new.dst.seqHi != old.dst.seqHi { fields.insert(.dstSeqHi); dstSeqHi = new.dst.seqHi &- old.dst.seqHi }
        if new.packets != old.packets {
            fields.insert(.packets)
            packets = CounterPair(new.packets.forward &- old.packets.forward, new.packets.reverse &- old.packets.reverse)
        }
        if new.bytes != old.bytes {
            fields.insert(.bytes)
            bytes = CounterPair(new.bytes.forward &- old.bytes.forward, new.bytes.reverse &- old.bytes.reverse)
        }
        if new.expire != old.expire { fields.insert(.expire); expire = new.expire }
        if new.src.maxWin != old.src.maxWin { fields.insert(.srcMaxWin); srcMaxWin = new.src.maxWin }
        if new.dst.maxWin != old.dst.maxWin { fields.insert(.dstMaxWin); dstMaxWin = new.dst.maxWin }
        if !Self.sameOther(new.src, old.src) { fields.insert(.srcOther); srcOther = new.src }
        if !Self.sameOther(new.dst, old.dst) { fields.insert(.dstOther); dstOther = new.dst }
        if new.timeout != old.timeout { fields.insert(.timeout); timeout = new.timeout }
        self.fields = fields
    }

    /// Moves `base` on by this update: afterwards it holds the sender's values and this
    /// update's version (the caller has checked that it held the version before).
    public func apply(to base: inout ReplicationBase) {
        if fields.contains(.srcSeqLo) { base.src.seqLo &+= srcSeqLo }
        if fields.contains(.srcSeqHi) { base.src.seqHi &+= srcSeqHi }
        if fields.contains(.dstSeqLo) { base.dst.seqLo &+= dstSeqLo }
        if fields.contains(.dstSeqHi) { base.dst.seqHi &+= dstSeqHi }
        if fields.contains(.packets) {
            base.packets = CounterPair(base.packets.forward &+ packets.forward, base.packets.reverse &+ packets.reverse)
        }
        if fields.contains(.bytes) {
            base.bytes = CounterPair(base.bytes.forward &+ bytes.forward, base.bytes.reverse &+ bytes.reverse)
        }
        if fields.contains(.expire) { base.expire = expire }
        if fields.contains(.srcMaxWin) { base.src.maxWin = srcMaxWin }
        if fields.contains(.dstMaxWin) { base.dst.maxWin = dstMaxWin }
        if fields.contains(.srcOther) { Self.copyOther(srcOther, into: &base.src) }
        if fields.contains(.dstOther) { Self.copyOther(dstOther, into: &base.dst) }
        if fields.contains(.timeout) { base.timeout = timeout }
        base.version = version
    }

    /// True when the peers differ at most in sequence numbers and window.
    @inline(__always)
    static func sameOther(_ a: StatePeer, _ b: StatePeer) -> Bool {
        a.state == b.state && a.wscale == b.wscale && a.mss == b.mss && a.seqDiff == b.seqDiff && a.scrub == b.scrub
    }

    @inline(__always)
    static func copyOther(_ from: StatePeer, into peer: inout StatePeer) {
        peer.state = from.state
        peer.wscale = from.wscale
        peer.mss = from.mss
        peer.seqDiff = from.seqDiff
        peer.scrub = from.scrub
    }
}
