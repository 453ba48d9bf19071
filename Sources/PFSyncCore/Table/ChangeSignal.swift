import Synchronization

/// Lets the thread that sends a table's changes sleep while there are none: it *arms* the
/// signal before it stops ticking, and the first writer that records a change afterwards
/// and then *pokes* the signal wakes it (once: firing disarms).
///
/// The consumer arms first and then looks for pending changes (``StateTable/pendingChangeCount``,
/// which takes each shard lock); a writer records its change under a shard lock and pokes
/// after releasing it. Whichever comes second sees the other: either the consumer finds the
/// change, or the writer finds the signal armed. A poke on an unarmed signal is one relaxed
/// atomic load.
public final class ChangeSignal: Sendable {
    @usableFromInline let armed = Atomic<Bool>(false)
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    /// A signal with no consumer yet (pokes do nothing).
    public init() {}

    /// Sets what firing does (for example: ask an event loop to tick now).
    public func setWake(_ body: (@Sendable () -> Void)?) {
        wake.withLock { $0 = body }
    }

    /// The consumer is about to sleep: the next poke fires.
    public func arm() {
        armed.store(true, ordering: .sequentiallyConsistent)
    }

    /// The consumer is awake again. Returns whether the signal was still armed.
    @discardableResult
    public func disarm() -> Bool {
        armed.exchange(false, ordering: .acquiringAndReleasing)
    }

    /// Whether the next poke would fire.
    public var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// A writer recorded changes (call it with no table lock held): wakes the consumer if
    /// it sleeps.
    @inlinable
    public func poke() {
        if armed.load(ordering: .relaxed) { fire() }
    }

    @usableFromInline
    func fire() {
        guard armed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        wake.withLock { $0 }?()
    }
}
