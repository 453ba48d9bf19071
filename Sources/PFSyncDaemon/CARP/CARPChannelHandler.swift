#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import PFSyncCARP

/// Drives a ``CARPGroup`` on the raw socket's event loop: received packets and timers go
/// in, advertisements go out on the socket, address changes and scripts go to the
/// ``CARPActuator``, and the view goes to the ``CARPMonitor`` after every event.
final class CARPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var group: CARPGroup
    private let plan: CARPPlan
    private let actuator: CARPActuator
    private let monitor: CARPMonitor
    private let logger: Logger
    private let destination: SocketAddress
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: UInt64?
    private var lastDropLogNanos: UInt64 = 0
    private var selectedInterface: String?
    /// The socket advertisements leave on: separate from the receiving one, because NIO
    /// closes a datagram channel on most send errors (a firewall's EPERM included) and
    /// the service then replaces it while reception goes on.
    var sendChannel: (any Channel)? {
        didSet { selectedInterface = nil }
    }

    init(plan: CARPPlan, destination: SocketAddress, actuator: CARPActuator, monitor: CARPMonitor, logger: Logger) {
        self.plan = plan
        self.destination = destination
        self.actuator = actuator
        self.monitor = monitor
        self.logger = logger
        group = CARPGroup(
            hosts: plan.hosts.map(\.config), localAddress: plan.localAddress, counterSeed: UInt64.random(in: 0...UInt64.max))
    }

    /// The monotonic clock the timers use.
    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        self.context = nil
    }

    /// Starts the election (every host as backup).
    func start() {
        perform(group.start(now: Self.now))
    }

    /// Re-arms the timers after the handler moved to a new channel.
    func resume() {
        timerDeadline = nil
        selectedInterface = nil
        reschedule()
    }

    /// Stops the election: masters send a leaving advertisement and drop their addresses.
    func stop() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        perform(group.stop(now: Self.now), rescheduling: false)
    }

    /// Changes one reason's demotion.
    func setDemotion(_ reason: CARPDemotion.Reason, to value: Int) {
        let before = group.demotion.total
        let actions = group.setDemotion(reason, to: value, now: Self.now)
        if group.demotion.total != before {
            logger.notice(
                "CARP demotion changed", metadata: ["reason": "\(reason.rawValue)", "value": "\(value)", "total": "\(group.demotion.total)"])
        }
        perform(actions)
    }

    /// The group's demotion part of `reason`.
    func demotion(_ reason: CARPDemotion.Reason) -> Int { group.demotion[reason] }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = envelope.data.readableBytesView
        do {
            perform(try group.receive(ipv4: bytes, now: Self.now))
        } catch {
            logDrop(error)
            publish()
        }
    }

    private func logDrop(_ error: CARPInputError) {
        if case .ownAdvertisement = error { return }
        let now = Self.now
        guard now &- lastDropLogNanos > 10_000_000_000 else { return }
        lastDropLogNanos = now
        logger.warning("CARP advertisement dropped", metadata: ["reason": "\(error)"])
    }

    private func perform(_ actions: [CARPAction], rescheduling: Bool = true) {
        var scripts: [(up: Bool, host: CARPHostPlan)] = []
        for action in actions {
            switch action {
            case let .send(advertisement):
                send(advertisement)
            case let .stateChanged(vhid, from, to):
                logger.notice("CARP state changed", metadata: ["vhid": "\(vhid)", "from": "\(from.rawValue)", "to": "\(to.rawValue)"])
                guard let host = host(vhid) else { continue }
                if to == .master { scripts.append((true, host)) }
                if from == .master { scripts.append((false, host)) }
            case let .addAddresses(vhid):
                if let host = host(vhid) { actuator.addAddresses(host) }
            case let .announce(vhid):
                if let host = host(vhid) { actuator.announce(host) }
            case let .removeAddresses(vhid):
                if let host = host(vhid) { actuator.removeAddresses(host, quiet: true) }
            case let .splitBrain(vhid, peer):
                logger.error("CARP split brain: a peer keeps advertising as master while this node is master",
                             metadata: ["vhid": "\(vhid)", "peer": "\(peer)"])
            case let .splitBrainResolved(vhid):
                logger.notice("CARP split brain over", metadata: ["vhid": "\(vhid)"])
            }
        }
        for script in scripts { actuator.runScript(up: script.up, host: script.host) }
        if rescheduling { reschedule() }
        publish()
    }

    private func host(_ vhid: UInt8) -> CARPHostPlan? { plan.hosts.first { $0.config.vhid == vhid } }

    private func send(_ advertisement: CARPAdvertisement) {
        guard let context, let channel = sendChannel, channel.isActive else {
            group.recordSend(succeeded: false)
            return
        }
        if plan.peer == nil, plan.interfaceAddresses.count > 1, let host = host(advertisement.vhid),
           host.interface != selectedInterface, let address = plan.interfaceAddresses[host.interface],
           let provider = channel as? any SocketOptionProvider
        {
            // Several interfaces share the socket: point multicast at this host's interface first.
            selectedInterface = host.interface
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            provider.setIPMulticastIF(in_addr(s_addr: address.value.bigEndian)).whenComplete { _ in
                bound.value.write(advertisement)
            }
            return
        }
        write(advertisement)
    }

    private func write(_ advertisement: CARPAdvertisement) {
        guard let context, let channel = sendChannel else { return }
        let encoded = advertisement.encoded
        var buffer = channel.allocator.buffer(capacity: encoded.count)
        buffer.writeBytes(encoded)
        let promise = context.eventLoop.makePromise(of: Void.self)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { result in
            if case .failure = result { bound.value.group.recordSend(succeeded: false) } else {
                bound.value.group.recordSend(succeeded: true)
            }
        }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: promise)
    }

    private func reschedule() {
        guard let context else { return }
        let next = group.nextDeadline
        guard next != timerDeadline else { return }
        timer?.cancel()
        timer = nil
        timerDeadline = next
        guard let next else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(next)) {
            bound.value.fire()
        }
    }

    private func fire() {
        timer = nil
        timerDeadline = nil
        perform(group.timer(now: Self.now))
    }

    private func publish() {
        var snapshot = CARPMonitor.Snapshot()
        snapshot.role = group.role
        snapshot.counters = group.counters
        snapshot.demotion = group.demotion.total
        for reason in CARPDemotion.Reason.allCases where group.demotion[reason] > 0 {
            snapshot.demotionParts[reason.rawValue] = group.demotion[reason]
        }
        snapshot.splitBrain = group.splitBrain
        snapshot.hosts = zip(group.hosts, plan.hosts).map { host, hostPlan in
            CARPMonitor.Host(
                vhid: host.config.vhid, interface: hostPlan.interface, state: host.state,
                master: host.master.map(\.description), splitBrain: host.splitBrain, advbase: host.config.advbase,
                advskew: host.config.advskew, addresses: hostPlan.prefixes.map { "\($0.address)/\($0.length)" })
        }
        monitor.publish(snapshot)
    }
}
