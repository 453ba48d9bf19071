#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The control socket as a service: a Unix stream socket (mode 0600) answering one JSON
/// request per line. Refuses to start when another daemon answers on the same path.
public final class ControlServer: Service, Sendable {
    private let path: String
    private let group: any EventLoopGroup
    private let responder: ControlResponder
    private let logger: Logger

    /// Creates the service; the socket is bound in ``run()``.
    public init(path: String, group: any EventLoopGroup, responder: ControlResponder, logger: Logger) {
        self.path = path
        self.group = group
        self.responder = responder
        self.logger = logger
    }

    public func run() async throws {
        if ControlClient.isAnswering(path: path) {
            throw SyncSetupError("another pfsyncd answers on the control socket \(path)")
        }
        let responder = self.responder
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(responder: responder))
                }
            }
        let previousMask = umask(0o177)
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        } catch {
            umask(previousMask)
            throw SyncSetupError("cannot open the control socket \(path): \(error)")
        }
        umask(previousMask)
        chmod(path, 0o600)
        logger.info("control socket up", metadata: ["path": "\(path)"])
        try? await gracefulShutdown()
        try? await channel.close()
        unlink(path)
    }
}
