import Synchronization

/// This node's role as `status` shows it. Until CARP decides roles, a node is "active";
/// `pfsyncd promote` marks it "master".
public final class NodeRole: Sendable {
    private let promoted = Atomic<Bool>(false)

    /// Not promoted.
    public init() {}

    /// Marks the node master. Returns false when it already was.
    @discardableResult
    public func promote() -> Bool {
        !promoted.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// True after ``promote()``.
    public var isPromoted: Bool { promoted.load(ordering: .acquiring) }

    /// "master" once promoted, else "active".
    public var name: String { isPromoted ? "master" : "active" }
}
