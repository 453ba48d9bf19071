import Logging
import NIOCore
import PFSyncCore
import ServiceLifecycle

/// A sync channel handler that ``SyncSocketKeeper`` can move to a new socket.
protocol KeptSocketHandler: ChannelHandler, TickDriven {
    /// The last error the socket reported (why SwiftNIO closed it, after a close).
    var lastSocketError: String? { get }
    /// Called before the handler is added to a new socket's pipeline.
    func socketReopened()
    /// Sends every pending change now (graceful shutdown).
    func flushPending()
}

/// Keeps a sync link's socket open until graceful shutdown. SwiftNIO closes a datagram
/// socket on most send errors (all but EMSGSIZE and EHOSTUNREACH): ENETUNREACH while the
/// sync interface is down, EPERM from a firewall rule, a GSO write the path refuses. Without
/// a new socket, replication would stop there until the daemon restarted.
///
/// After an unexpected close the keeper waits (1 s, doubling up to 8 s while new sockets
/// close again within a minute), opens a new socket and hands it the same channel handler,
/// whose engine carries on: what was lost meanwhile comes back through NACKs, or through a
/// resync when the gap is older than the resend buffer (plain pfsync has neither: later
/// updates and the peer's bulk requests repair it, as with pfsync).
struct SyncSocketKeeper: Sendable {
    /// What the socket is called in the log ("sync socket", "plain pfsync socket").
    let name: String
    let logger: Logger
    /// The first wait after an unexpected close.
    var firstDelay: Duration = .seconds(1)
    /// The longest wait.
    var longestDelay: Duration = .seconds(8)
    /// A socket that stayed open this long before closing starts the waits over.
    var settledAfter: Duration = .seconds(60)

    /// Serves `handler` on `first`, and on a new socket whenever SwiftNIO closes one, until
    /// graceful shutdown; then stops the ticks, flushes what is pending and closes.
    func serve<Handler: KeptSocketHandler>(
        _ first: any Channel, handler: NIOLoopBound<Handler>, ticks: NIOLoopBound<TickTimer>, table: StateTable,
        open: @escaping @Sendable () async throws -> any Channel
    ) async throws {
        let last = await keep(
            first, open: open,
            attach: { channel in
                handler.value.socketReopened()
                try channel.pipeline.syncOperations.addHandler(handler.value)
            },
            lastError: { handler.value.lastSocketError })
        try await first.eventLoop.submit {
            ticks.value.stopDriving(table: table)
            handler.value.flushPending()
        }.get()
        try? await last?.close()
    }

    private enum Event: Sendable {
        case shutdown
        /// The socket of this generation closed.
        case closed(generation: Int, reason: String)
        case reopen
    }

    /// Runs until graceful shutdown (or cancellation), keeping `first` or its successors
    /// open; returns the socket open at that moment (nil when shutdown came while waiting to
    /// reopen).
    /// - Parameters:
    ///   - open: opens and configures a new socket.
    ///   - attach: gives a new socket the channel handler (runs on the socket's event loop).
    ///   - lastError: on the event loop, the last error the handler saw (why the socket
    ///     closed).
    func keep(
        _ first: any Channel,
        open: @escaping @Sendable () async throws -> any Channel,
        attach: @escaping @Sendable (any Channel) throws -> Void,
        lastError: @escaping @Sendable () -> String?
    ) async -> (any Channel)? {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let watch = { @Sendable (channel: any Channel, generation: Int) in
            channel.closeFuture.whenComplete { _ in
                continuation.yield(.closed(generation: generation, reason: lastError() ?? "no error reported"))
            }
        }
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                continuation.yield(.shutdown)
            }
            var current: (any Channel)? = first
            var generation = 0
            var openedAt = ContinuousClock.now
            var delay = firstDelay
            var closes = 0
            watch(first, generation)
            for await event in events {
                switch event {
                case .shutdown:
                    group.cancelAll()
                    return current
                case .closed(let closedGeneration, let reason):
                    guard closedGeneration == generation, current != nil else { continue }
                    current = nil
                    closes += 1
                    delay = ContinuousClock.now - openedAt >= settledAfter ? firstDelay : delay
                    logger.error(
                        "\(name) closed unexpectedly; opening a new one",
                        metadata: ["error": "\(reason)", "in_s": "\(delay.seconds)", "closes": "\(closes)"])
                    schedule(.reopen, after: delay, in: &group, continuation)
                    delay = min(delay * 2, longestDelay)
                case .reopen:
                    do {
                        let channel = try await open()
                        do {
                            try await channel.eventLoop.submit { try attach(channel) }.get()
                        } catch {
                            try? await channel.close()
                            throw error
                        }
                        generation += 1
                        current = channel
                        openedAt = .now
                        watch(channel, generation)
                        logger.notice("\(name) open again", metadata: ["closes": "\(closes)"])
                    } catch {
                        logger.error("\(name) cannot be opened again", metadata: ["error": "\(error)", "in_s": "\(delay.seconds)"])
                        schedule(.reopen, after: delay, in: &group, continuation)
                        delay = min(delay * 2, longestDelay)
                    }
                }
            }
            return current
        }
    }

    private func schedule(
        _ event: Event, after delay: Duration, in group: inout TaskGroup<Void>, _ continuation: AsyncStream<Event>.Continuation
    ) {
        group.addTask {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            continuation.yield(event)
        }
    }
}

extension Duration {
    /// Whole and fractional seconds, for the log.
    fileprivate var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
