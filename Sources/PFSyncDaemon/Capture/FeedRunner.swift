import PFSyncCapture
import PFSyncCore
import PFSyncTracker

/// The feed socket's thread (``CaptureSource/feed(path:)``): serves one client at a time,
/// tracks every record of a batch with its own tracker (wall clock, as a live capture) and
/// answers each batch with one verdict byte per record (``FeedProtocol``). A bad hello or
/// record closes that connection and is counted; nothing is allocated per record.
struct FeedRunner {
    let path: String
    let index: Int
    let table: StateTable
    let trackerConfig: TrackerConfig
    let monitor: CaptureMonitor
    let stop: StopFlag
    /// With `sync.defer`: hold each batch's reply until the peer acknowledged its new states.
    let deferral: FeedDeferral?

    /// Runs until the stop flag is raised.
    func run() {
        var status = CaptureStatus(source: .feed(path: path))
        var tracker = Tracker(
            table: table, config: trackerConfig, startTime: DaemonClock.wallSeconds(), followPacketTime: false)
        let listener: FeedListener
        do {
            listener = try FeedListener(path: path)
        } catch {
            status.phase = .failed
            status.error = error.description
            monitor.publish(status, at: index)
            return
        }
        status.phase = .running
        monitor.publish(status, at: index)
        var session = FeedSession(deferral: deferral)
        while !stop.isRaised {
            checkpoint(&tracker, &status)
            guard let client = listener.accept(timeoutMilliseconds: 100) else { continue }
            let connection = FeedConnection(descriptor: client, stop: stop)
            status.feedConnections &+= 1
            if let problem = session.serve(connection, tracker: &tracker, status: &status, publish: {
                checkpoint(&$0, &$1)
            }) {
                status.feedErrors &+= 1
                status.error = problem
            }
            connection.close()
        }
        listener.shutdown()
        status.phase = .stopped
        checkpoint(&tracker, &status)
    }

    private func checkpoint(_ tracker: inout Tracker, _ status: inout CaptureStatus) {
        tracker.advanceClock(to: DaemonClock.wallSeconds())
        status.summary = tracker.summary
        monitor.publish(status, at: index)
    }
}
