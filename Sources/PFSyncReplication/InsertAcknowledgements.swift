#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PFSyncCore
import Synchronization

/// pfsync's deferral (`defer`): the packet that created a state is held until the peer
/// acknowledges the state's insert (INS_ACK) or a timeout passes (pfsync: 20 ms), so that
/// a state the master has let a packet through for is on the backup before the packet
/// leaves, and even brand-new sessions survive a crash of the master.
///
/// The packet path calls ``hold(_:timeoutNanos:flush:)`` with the states a batch of packets
/// created; the replication engine calls ``acknowledge(_:)`` for every INS_ACK it
/// receives. Only ids somebody holds are remembered, so acknowledgements nobody waits for
/// (late ones, after a timeout) cost nothing.
public final class InsertAcknowledgements: @unchecked Sendable {
    // The pthread mutex and condition guard `pending`; the pointers are allocated once.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Held ids, true once acknowledged.
    private var pending: [StateID: Bool] = [:]

    private let heldCount = Atomic<UInt64>(0)
    private let acknowledgedCount = Atomic<UInt64>(0)
    private let timedOutCount = Atomic<UInt64>(0)
    private let heldNanosTotal = Atomic<UInt64>(0)

    /// pfsync's deferral timeout: 20 ms.
    public static let pfsyncTimeoutNanos: UInt64 = 20_000_000

    /// Creates an empty set of holds.
    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Holds the calling thread until every state in `ids` is acknowledged by the peer or
    /// `timeoutNanos` passed. `flush` runs once after the ids are registered (so an
    /// acknowledgement cannot arrive unseen) and should make the engine send the inserts now.
    /// Returns how many of `ids` were acknowledged in time.
    @discardableResult
    public func hold(_ ids: [StateID], timeoutNanos: UInt64 = pfsyncTimeoutNanos, flush: () -> Void) -> Int {
        guard !ids.isEmpty else { return 0 }
        let start = Self.monotonicNanos()
        pthread_mutex_lock(mutex)
        for id in ids { pending[id] = false }
        pthread_mutex_unlock(mutex)
        flush()

        let deadline = start &+ timeoutNanos
        var deadlineSpec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        var acknowledged = 0
        while true {
            acknowledged = ids.reduce(0) { $0 + (pending[$1] == true ? 1 : 0) }
            if acknowledged == ids.count { break }
            if pthread_cond_timedwait(condition, mutex, &deadlineSpec) == ETIMEDOUT {
                acknowledged = ids.reduce(0) { $0 + (pending[$1] == true ? 1 : 0) }
                break
            }
        }
        for id in ids { pending[id] = nil }
        pthread_mutex_unlock(mutex)

        heldCount.add(UInt64(ids.count), ordering: .relaxed)
        acknowledgedCount.add(UInt64(acknowledged), ordering: .relaxed)
        timedOutCount.add(UInt64(ids.count - acknowledged), ordering: .relaxed)
        heldNanosTotal.add(Self.monotonicNanos() &- start, ordering: .relaxed)
        return acknowledged
    }

    /// Records the peer's INS_ACK for `id` and wakes the holder if it waits for it.
    public func acknowledge(_ id: StateID) {
        pthread_mutex_lock(mutex)
        if pending[id] == false {
            pending[id] = true
            pthread_cond_broadcast(condition)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Counters since creation: states held, acknowledged in time, released by timeout,
    /// and the total time holders waited (nanoseconds).
    public var counters: (held: UInt64, acknowledged: UInt64, timedOut: UInt64, heldNanos: UInt64) {
        (
            heldCount.load(ordering: .relaxed), acknowledgedCount.load(ordering: .relaxed),
            timedOutCount.load(ordering: .relaxed), heldNanosTotal.load(ordering: .relaxed)
        )
    }

    private static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
