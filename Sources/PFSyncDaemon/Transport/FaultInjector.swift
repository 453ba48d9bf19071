import PFSyncConfig

/// What to do with one outgoing datagram under the `[testing]` faults.
public enum FaultDecision: Sendable, Hashable {
    /// Send it.
    case send
    /// Do not send it.
    case drop
    /// Send it twice.
    case duplicate
    /// Hold it back and send it after the next one.
    case reorder
}

/// Seeded, reproducible fault decisions for outgoing datagrams (tests only): each
/// datagram is dropped, duplicated or reordered with the configured percentages.
public struct FaultInjector: Sendable {
    private let settings: TestingConfig
    private var state: UInt64

    /// Creates an injector; the same settings and seed give the same decisions.
    public init(settings: TestingConfig) {
        self.settings = settings
        self.state = settings.seed
    }

    /// True when some fault can happen.
    public var isActive: Bool { settings.injectsFaults }

    /// The fate of the next datagram.
    public mutating func next() -> FaultDecision {
        let roll = nextPercent()
        if roll < settings.dropPercent { return .drop }
        if roll < settings.dropPercent + settings.duplicatePercent { return .duplicate }
        if roll < settings.dropPercent + settings.duplicatePercent + settings.reorderPercent { return .reorder }
        return .send
    }

    /// A uniform number in [0, 100) from SplitMix64.
    private mutating func nextPercent() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 100
    }
}
