import PFSyncCore

/// pfsync's `defer` for the feed socket: before a batch's verdicts go back, the states the
/// batch created are pushed to the peer at once and the reply waits (bounded) until the peer
/// acknowledged them (INS_ACK), as pf holds a new state's first packet.
public struct FeedDeferral: Sendable {
    /// Asks the sync transport to send pending changes now.
    public let flushNow: @Sendable () -> Void
    /// Blocks until the peer acknowledged `ids` or `timeoutNanos` passed; returns how many
    /// were acknowledged.
    public let waitForAcknowledgements: @Sendable (_ ids: [StateID], _ timeoutNanos: UInt64) -> Int

    /// pf's deferral timeout: 20 ms.
    public static let timeoutNanos: UInt64 = 20_000_000

    /// Creates the hook from the transport's flush and the acknowledgement wait.
    public init(
        flushNow: @escaping @Sendable () -> Void,
        waitForAcknowledgements: @escaping @Sendable (_ ids: [StateID], _ timeoutNanos: UInt64) -> Int
    ) {
        self.flushNow = flushNow
        self.waitForAcknowledgements = waitForAcknowledgements
    }
}
