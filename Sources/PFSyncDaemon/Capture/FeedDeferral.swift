import PFSyncCore
import PFSyncReplication

/// pfsync's `defer` for the feed socket: before a batch's verdicts go back, the states the
/// batch created are pushed to the peer at once and the reply waits (bounded, 20 ms) until
/// the peer acknowledged them (INS_ACK), as pf holds a new state's first packet.
public struct FeedDeferral: Sendable {
    /// Where the engine reports INS_ACKs (``EngineConfig/insertAcknowledgements``).
    public let acknowledgements: InsertAcknowledgements
    /// Asks the sync transport to send pending changes now.
    public let flushNow: @Sendable () -> Void

    /// pf's deferral timeout: 20 ms.
    public static let timeoutNanos: UInt64 = 20_000_000

    /// Creates the hook from the engine's acknowledgements and the transport's flush.
    public init(acknowledgements: InsertAcknowledgements, flushNow: @escaping @Sendable () -> Void) {
        self.acknowledgements = acknowledgements
        self.flushNow = flushNow
    }

    /// The deferral of `plan` (nil unless `sync.defer` set the engine's acknowledgements),
    /// flushing through `link` when it is pfsyncd's UDP transport.
    public static func of(plan: DaemonPlan, link: any Sendable) -> FeedDeferral? {
        guard let acknowledgements = plan.engine.insertAcknowledgements else { return nil }
        let transport = link as? SyncTransport
        return FeedDeferral(acknowledgements: acknowledgements, flushNow: { transport?.flushNow() })
    }

    /// Holds the caller until the peer acknowledged `ids` or the timeout passed; returns how
    /// many were acknowledged.
    func hold(_ ids: [StateID]) -> Int {
        acknowledgements.hold(ids, timeoutNanos: Self.timeoutNanos, flush: flushNow)
    }
}
