import Logging
import NIOCore
import Synchronization

/// Logs an error when a sync socket closes before graceful shutdown began: SwiftNIO closes
/// a datagram socket on most send errors (all but EMSGSIZE and EHOSTUNREACH: ENETUNREACH,
/// EPERM from a firewall, a refused GSO write), and replication stops with it.
final class UnexpectedCloseWatch: Sendable {
    private let shuttingDown = Mutex(false)

    /// Watches `channel`; `message` is the error logged on an unexpected close.
    init(_ channel: any Channel, logger: Logger, message: String) {
        channel.closeFuture.whenComplete { [self] result in
            guard !shuttingDown.withLock({ $0 }) else { return }
            logger.error("\(message)", metadata: ["result": "\(result)"])
        }
    }

    /// Graceful shutdown began: a close from now on is expected.
    func shutdownBegan() {
        shuttingDown.withLock { $0 = true }
    }
}
