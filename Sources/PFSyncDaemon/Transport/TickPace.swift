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

    init(busy: TimeAmount, idle: TimeAmount) {
        self.busy = busy
        self.idle = max(idle, busy)
    }

    /// The delay until the next tick, after a tick that left the engine `quiet` or not.
    func next(quiet: Bool, table: StateTable) -> TimeAmount {
        let signal = table.changeSignal
        guard quiet else {
            if signal.isArmed { signal.disarm() }
            return busy
        }
        // Armed before looking: a change recorded after the look pokes the signal.
        signal.arm()
        guard table.pendingChangeCount == 0 else {
            signal.disarm()
            return busy
        }
        return idle
    }
}
