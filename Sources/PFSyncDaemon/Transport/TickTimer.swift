import NIOCore
import PFSyncCore

/// Runs `body` on one event loop again and again, each time after the delay the previous
/// run returned, through NIO's scheduled callbacks: no promise, future or callback list per
/// run (`scheduleRepeatedTask` makes all three every time, which cost more than the sync
/// link's whole idle tick). ``runWithin(_:)`` brings the next run forward. Confined to its
/// event loop.
final class TickTimer: NIOScheduledCallbackHandler {
    private let eventLoop: any EventLoop
    private let body: () -> TimeAmount
    private var scheduled: NIOScheduledCallback?
    private var deadline: NIODeadline = .distantFuture
    private var stopped = false

    /// A timer that has not started yet; `body` returns the delay until its next run.
    init(eventLoop: any EventLoop, body: @escaping () -> TimeAmount) {
        self.eventLoop = eventLoop
        self.body = body
    }

    /// Schedules the first run, `delay` from now.
    func start(after delay: TimeAmount) {
        eventLoop.preconditionInEventLoop()
        schedule(at: .now() + delay)
    }

    /// Makes the next run happen at most `delay` from now (no change when it is due sooner).
    func runWithin(_ delay: TimeAmount) {
        eventLoop.preconditionInEventLoop()
        let wanted = NIODeadline.now() + delay
        guard !stopped, wanted < deadline else { return }
        cancelScheduled()
        schedule(at: wanted)
    }

    /// No run after this one (a run already going on finishes).
    func stop() {
        eventLoop.preconditionInEventLoop()
        stopped = true
        cancelScheduled()
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        scheduled = nil
        deadline = .distantFuture
        guard !stopped else { return }
        let delay = body()
        if !stopped, scheduled == nil { schedule(at: .now() + delay) }
    }

    func didCancelScheduledCallback(eventLoop: some EventLoop) {}

    private func cancelScheduled() {
        if let scheduled {
            eventLoop.assumeIsolated().cancelScheduledCallback(scheduled)
        }
        scheduled = nil
        deadline = .distantFuture
    }

    private func schedule(at time: NIODeadline) {
        // Fails only on a loop that is shutting down, where no tick is wanted anyway.
        scheduled = try? eventLoop.assumeIsolated().scheduleCallback(at: time, handler: self)
        deadline = scheduled == nil ? .distantFuture : time
    }
}

/// A sync channel handler a ``TickTimer`` drives: `tick()` returns the delay until the next
/// tick, `wake()` brings it forward when a writer records a change on an idle link.
protocol TickDriven: AnyObject, SendableMetatype {
    var timer: TickTimer? { get set }
    func tick() -> TimeAmount
    func wake()
}

extension TickTimer {
    /// Starts ticking the handler in `bound` (first tick after `interval`) and lets the
    /// table's change signal wake it. On the handler's event loop.
    static func drive<Handler: TickDriven>(
        _ bound: NIOLoopBound<Handler>, table: StateTable, after interval: TimeAmount, on loop: any EventLoop
    ) -> NIOLoopBound<TickTimer> {
        let timer = TickTimer(eventLoop: loop) { bound.value.tick() }
        bound.value.timer = timer
        table.changeSignal.setWake { loop.execute { bound.value.wake() } }
        timer.start(after: interval)
        return NIOLoopBound(timer, eventLoop: loop)
    }

    /// Stops the ticks and the wake-ups ``drive(_:table:after:on:)`` set up.
    func stopDriving(table: StateTable) {
        table.changeSignal.setWake(nil)
        stop()
    }
}
