import PFSyncCore
import PFSyncWire

/// pfsync's rules for importing a peer's view of a state into ours (FreeBSD
/// `pfsync_upd_tcp`, OpenBSD `pfsync_upd_tcp`), with one deliberate difference: a peer that is
/// stale is never imported, so a sequence window never rolls back (pfsync imports the
/// destination peer whenever the source was fresh, which users saw stall transfers).
public enum PeerMerge {
    /// pf's syn-proxy pseudo-states start here (PF_TCPS_PROXY_SRC); they may go "backwards".
    public static let proxySource: UInt8 = 11

    /// The outcome of a merge.
    public struct Outcome: Sendable, Hashable {
        /// How many of the two peers were stale (0, 1 or 2).
        public var stalePeers: Int
        /// True when the state's expiry and timeout class were taken from the update
        /// (pfsync does so unless both peers were stale).
        public var refreshed: Bool

        /// Creates an outcome.
        @inlinable
        public init(stalePeers: Int, refreshed: Bool) {
            self.stalePeers = stalePeers
            self.refreshed = refreshed
        }
    }

    /// Imports `src` / `dst` (and, when not wholly stale, `timeout` and `expire`) into
    /// `local`. `expire` is already converted to the local absolute reading.
    @inlinable
    public static func merge(
        into local: inout PFState, src: StatePeer, dst: StatePeer, timeout: UInt8, expire: UInt32
    ) -> Outcome {
        var stale = 0
        if local.proto == 6 {
            if isStaleSource(local: local.src, incoming: src) {
                stale += 1
            } else {
                local.src = widest(src, keeping: local.src)
            }
            if isStaleDestination(local: local.dst, incoming: dst) {
                stale += 1
            } else {
                local.dst = widest(dst, keeping: local.dst)
            }
        } else {
            // Non-TCP pseudo-states only move forwards.
            if local.src.state > src.state { stale += 1 } else { local.src = src }
            if local.dst.state > dst.state { stale += 1 } else { local.dst = dst }
        }
        let refreshed = stale < 2
        if refreshed {
            local.timeout = timeout
            local.expire = expire
        }
        return Outcome(stalePeers: stale, refreshed: refreshed)
    }

    /// An imported TCP peer, but with its window's upper edge (`seqHi`) and `maxWin` never
    /// below ours: the peer's `seqLo` may be newer while its window edge (set by the other
    /// side's last ACK) is older than what we saw ourselves, when both nodes see the
    /// traffic; taking it whole would shrink the window and fail the next packets.
    @inlinable
    public static func widest(_ incoming: StatePeer, keeping local: StatePeer) -> StatePeer {
        var merged = incoming
        if local.state == incoming.state {
            if SequenceMath.greater(local.seqHi, incoming.seqHi) { merged.seqHi = local.seqHi }
            if local.maxWin > incoming.maxWin { merged.maxWin = local.maxWin }
        }
        return merged
    }

    /// ``merge(into:src:dst:timeout:expire:)`` for an UPD_C with counters (UPD_CC, or a delta
    /// update rebuilt on its base): the counters are taken too when the state was refreshed.
    @inlinable @inline(__always)
    public static func merge(
        into local: inout PFState, src: StatePeer, dst: StatePeer, timeout: UInt8, expire: UInt32,
        counters: StateCounters?
    ) -> Outcome {
        let outcome = merge(into: &local, src: src, dst: dst, timeout: timeout, expire: expire)
        if let counters, outcome.refreshed {
            local.packets = .later(local.packets, counters.packets)
            local.bytes = .later(local.bytes, counters.bytes)
        }
        return outcome
    }

    /// pf: the source peer is stale if ours is in a later state (syn-proxy states excepted),
    /// or in the same state with seqlo ahead.
    /// ``merge(into:src:dst:timeout:expire:counters:)`` for a full state (INS, UPD, bulk):
    /// its peers, timeout, expiry and counters, and, when the state was refreshed, its
    /// state and sync flags. `incoming` is read where it lies (its times already local).
    @inlinable @inline(__always)
    public static func merge(into local: inout PFState, fullState incoming: UnsafePointer<PFState>) -> Outcome {
        let outcome = merge(
            into: &local, src: incoming.pointee.src, dst: incoming.pointee.dst, timeout: incoming.pointee.timeout,
            expire: incoming.pointee.expire,
            counters: StateCounters(packets: incoming.pointee.packets, bytes: incoming.pointee.bytes))
        if outcome.refreshed {
            local.stateFlags = incoming.pointee.stateFlags
            local.syncFlags = incoming.pointee.syncFlags
        }
        return outcome
    }

    @inlinable
    public static func isStaleSource(local: StatePeer, incoming: StatePeer) -> Bool {
        if local.state > incoming.state && (local.state < proxySource || incoming.state >= proxySource) {
            return true
        }
        return local.state == incoming.state && SequenceMath.greater(local.seqLo, incoming.seqLo)
    }

    /// pf: the destination peer is stale if ours is in a later state, or ours has sent a SYN
    /// and its seqlo is ahead.
    @inlinable
    public static func isStaleDestination(local: StatePeer, incoming: StatePeer) -> Bool {
        if local.state > incoming.state { return true }
        return local.state >= PeerState.synSent && SequenceMath.greater(local.seqLo, incoming.seqLo)
    }
}
