import Logging
import NIOCore
import PFSyncCore
import PFSyncReplication

/// What both sync handlers do after each engine tick: log what changed on the link
/// (``ReplicationEventWatch``) and choose the delay until the next tick (``TickPace``).
struct TickFollowUp {
    private let logger: Logger
    private var watch = ReplicationEventWatch()
    private var events: [ReplicationEvent] = []
    private(set) var pace: TickPace

    init(logger: Logger, busy: TimeAmount, idle: TimeAmount) {
        self.logger = logger
        pace = TickPace(busy: busy, idle: idle)
    }

    /// Logs the link's events and returns the delay until the next tick. `messagesBefore`
    /// is the `messagesSent` counter before the tick (a tick that sent something was active);
    /// `badSource` the transport's count of datagrams from another address.
    mutating func after(
        status: EngineStatus, counters: ReplicationCounters, messagesBefore: UInt64, badSource: UInt64,
        quiet: Bool, table: StateTable, nowNanos: UInt64
    ) -> TimeAmount {
        watch.observe(status: status, counters: counters, badSource: badSource, nowNanos: nowNanos, into: &events)
        for event in events { event.log(to: logger) }
        return pace.next(active: counters[.messagesSent] != messagesBefore, quiet: quiet, table: table)
    }
}
