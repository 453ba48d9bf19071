import NIOCore
import PFSyncCore

/// How often a sync link ticks: every flush interval while there is work, and every idle
/// interval while the engine is quiet and the table holds no pending change. Going idle arms
/// the table's ``ChangeSignal`` first, so that a change recorded after the look wakes the
/// link (see ``StateTable/changeSignal``).
struct TickPace {
    /// Ticks while something is going on (the flush interval bounds what a crash loses).
    let busy: TimeAmount
    /// Ticks while nothing is (keepalives, expiry and liveness still run on time).
    let idle: TimeAmount
    /// Quiet ticks in a row before the idle interval: a steady trickle of changes keeps the
    /// link ticking at the busy interval rather than sleeping and being woken for each one.
    static let lingerTicks = 5
    private var quietTicks = 0

    init(busy: TimeAmount, idle: TimeAmount) {
        self.busy = busy
        self.idle = max(idle, busy)
    }

    /// The delay until the next tick, after a tick that sent messages (`active`) or not and
    /// left the engine `quiet` or not.
    mutating func next(active: Bool, quiet: Bool, table: StateTable) -> TimeAmount {
        let signal = table.changeSignal
        guard quiet, !active else {
            quietTicks = 0
            if signal.isArmed { signal.disarm() }
            return busy
        }
        quietTicks += 1
        guard quietTicks > Self.lingerTicks else { return busy }
        // Armed before looking: a change recorded after the look pokes the signal.
        signal.arm()
        guard table.pendingChangeCount == 0 else {
            signal.disarm()
            quietTicks = 0
            return busy
        }
        return idle
    }
}
