import Synchronization

/// A one-way "stop now" signal from the service to its threads.
public final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Not raised.
    public init() {}

    /// Asks the threads to stop.
    public func raise() { raised.store(true, ordering: .releasing) }

    /// True once raised.
    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}
