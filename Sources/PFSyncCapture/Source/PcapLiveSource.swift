import CPcap

/// Captures packets from a network interface through libpcap
/// (`pcap_create`, `pcap_set_*`, `pcap_activate`, then an optional BPF filter).
public final class PcapLiveSource {
    /// How to open the interface.
    public struct Options: Sendable, Hashable {
        /// Bytes kept per packet.
        public var snapshotLength: Int32
        /// Deliver packets as they arrive instead of batching them (`pcap_set_immediate_mode`).
        public var immediate: Bool
        /// Kernel buffer size in bytes (`pcap_set_buffer_size`).
        public var bufferSize: Int32
        /// Promiscuous mode.
        public var promiscuous: Bool
        /// Read timeout in milliseconds: ``PcapLiveSource/next(_:)`` returns `.timeout` after it.
        public var timeoutMilliseconds: Int32
        /// A BPF filter expression (tcpdump syntax), or nil for every packet.
        public var filter: String?

        /// Creates options; the defaults suit a firewall-state tracker.
        public init(
            snapshotLength: Int32 = 256, immediate: Bool = true, bufferSize: Int32 = 64 << 20,
            promiscuous: Bool = false, timeoutMilliseconds: Int32 = 100, filter: String? = nil
        ) {
            self.snapshotLength = snapshotLength
            self.immediate = immediate
            self.bufferSize = bufferSize
            self.promiscuous = promiscuous
            self.timeoutMilliseconds = timeoutMilliseconds
            self.filter = filter
        }
    }

    /// Kernel counters of a live capture (`pcap_stats`).
    public struct Statistics: Sendable, Hashable {
        /// Packets received by the filter.
        public var received: UInt32
        /// Packets dropped because the buffer was full.
        public var dropped: UInt32
        /// Packets dropped by the interface or driver.
        public var interfaceDropped: UInt32
    }

    /// The interface name.
    public let interface: String
    /// The interface's link-layer header type.
    public let linkType: LinkType
    /// libpcap's message when reading stopped on an error.
    public private(set) var errorText: String?
    /// libpcap's warning from `pcap_activate` (for example promiscuous mode not supported).
    public let activationWarning: String?

    private var handle: OpaquePointer?

    /// Opens and activates `interface`.
    /// - Throws: ``CaptureError/liveSetupFailed(interface:stage:reason:)`` or
    ///   ``CaptureError/invalidFilter(filter:reason:)``.
    public init(interface: String, options: Options = Options()) throws(CaptureError) {
        self.interface = interface
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let created = pcap_create(interface, &errorBuffer) else {
            throw .liveSetupFailed(interface: interface, stage: "pcap_create", reason: PcapReader.text(errorBuffer))
        }
        func fail(_ stage: String, _ code: Int32) -> CaptureError {
            let reason = code == 0 ? PcapReader.errorText(created) : String(cString: pcap_statustostr(code))
            return .liveSetupFailed(interface: interface, stage: stage, reason: reason)
        }
        let settings: [(String, Int32)] = [
            ("pcap_set_snaplen", pcap_set_snaplen(created, options.snapshotLength)),
            ("pcap_set_promisc", pcap_set_promisc(created, options.promiscuous ? 1 : 0)),
            ("pcap_set_immediate_mode", pcap_set_immediate_mode(created, options.immediate ? 1 : 0)),
            ("pcap_set_buffer_size", pcap_set_buffer_size(created, options.bufferSize)),
            ("pcap_set_timeout", pcap_set_timeout(created, options.timeoutMilliseconds)),
        ]
        if let failed = settings.first(where: { $0.1 != 0 }) {
            let error = fail(failed.0, failed.1)
            pcap_close(created)
            throw error
        }
        let activation = pcap_activate(created)
        if activation < 0 {
            let reason = PcapReader.errorText(created)
            let status = String(cString: pcap_statustostr(activation))
            pcap_close(created)
            throw .liveSetupFailed(
                interface: interface, stage: "pcap_activate",
                reason: reason.isEmpty || reason == status ? status : "\(status): \(reason)")
        }
        activationWarning = activation > 0 ? PcapReader.errorText(created) : nil
        if let filter = options.filter {
            var program = bpf_program()
            guard pcap_compile(created, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                let reason = PcapReader.errorText(created)
                pcap_close(created)
                throw .invalidFilter(filter: filter, reason: reason)
            }
            let installed = pcap_setfilter(created, &program)
            pcap_freecode(&program)
            guard installed == 0 else {
                let reason = PcapReader.errorText(created)
                pcap_close(created)
                throw .invalidFilter(filter: filter, reason: reason)
            }
        }
        handle = created
        linkType = LinkType(rawValue: pcap_datalink(created))
    }

    deinit { close() }

    /// Waits up to the read timeout for a packet and hands it to `body`; the bytes are valid
    /// only inside `body`.
    /// - Returns: `.packet`, `.timeout` (call again), or `.end` after ``breakLoop()``, on an
    ///   error (see ``errorText``) or once closed.
    @discardableResult
    public func next(
        _ body: (CapturedPacketHeader, UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> ReadOutcome {
        guard let handle else { return .end }
        switch PcapReader.step(handle) {
        case let .packet(header, bytes):
            try body(header, bytes)
            return .packet
        case .timeout:
            return .timeout
        case .endOfFile, .broken:
            return .end
        case let .failed(message):
            errorText = message
            return .end
        }
    }

    /// Makes a blocked or later ``next(_:)`` return `.end` (`pcap_breakloop`).
    public func breakLoop() {
        if let handle { pcap_breakloop(handle) }
    }

    /// The kernel's receive and drop counters, or nil when libpcap cannot tell.
    public func statistics() -> Statistics? {
        guard let handle else { return nil }
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return Statistics(received: stats.ps_recv, dropped: stats.ps_drop, interfaceDropped: stats.ps_ifdrop)
    }

    /// Stops capturing and releases the interface (also done on deinit).
    public func close() {
        if let handle {
            pcap_close(handle)
            self.handle = nil
        }
    }
}
