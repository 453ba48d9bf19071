import Synchronization

/// The published state of every packet source, written by the capture threads now and then
/// (not per packet) and read by the control socket.
public final class CaptureMonitor: Sendable {
    private let sources: Mutex<[CaptureStatus]>

    /// Creates a monitor for `sources`.
    public init(sources: [CaptureStatus]) {
        self.sources = Mutex(sources)
    }

    /// Replaces the status of source `index`.
    public func publish(_ status: CaptureStatus, at index: Int) {
        sources.withLock { list in
            guard list.indices.contains(index) else { return }
            list[index] = status
        }
    }

    /// Every source's last published status.
    public var current: [CaptureStatus] {
        sources.withLock { $0 }
    }
}
