@testable import PFSyncCore

/// A small deterministic generator (splitmix64) so that random tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

enum TableFixtures {
    /// A TCP key 10.0.x.y:port -> 192.168.0.1:443.
    static func key(_ number: Int, port: Int = 0) -> StateKey {
        StateKey(
            addr0: IPAddress(ipv4: 0x0A00_0000 | UInt32(truncatingIfNeeded: number & 0xFFFF)),
            addr1: IPAddress(ipv4: 0xC0A8_0001),
            port0: UInt16(truncatingIfNeeded: port), port1: 443)
    }

    /// A state with the given id; wire key `wire`, stack key `stack` (defaults to wire).
    static func state(
        id: UInt64, creator: UInt32 = 1, wire: StateKey, stack: StateKey? = nil, proto: UInt8 = 6,
        expire: UInt32 = 100
    ) -> PFState {
        var state = PFState(
            identity: StateID(id: id, creatorID: creator), proto: proto, wireKey: wire,
            stackKey: stack)
        state.expire = expire
        return state
    }

    /// Drains every shard, in shard order.
    static func drainAll(_ table: StateTable) -> [StateDelta] {
        var deltas: [StateDelta] = []
        for shard in 0..<table.shardCount {
            table.drainChanges(shard: shard, into: &deltas)
        }
        return deltas
    }
}
