/// The table's seeded hash of state ids and lookup keys.
///
/// Each word is folded in with a 64x64->128-bit multiply whose two halves are xor-ed
/// (the "mum" step of wyhash), keyed by six secret words derived from the table's seed.
/// With a random seed an attacker who does not know it cannot choose ids or flows that pile
/// into one bucket; with a fixed seed placement is reproducible for tests.
///
/// The high bits of a hash pick the shard, the low bits the slot inside the shard's index.
@usableFromInline
struct TableHasher: Sendable {
    @usableFromInline let s0: UInt64
    @usableFromInline let s1: UInt64
    @usableFromInline let s2: UInt64
    @usableFromInline let s3: UInt64
    @usableFromInline let s4: UInt64
    @usableFromInline let s5: UInt64

    /// Derives the secret words from `seed` with splitmix64.
    init(seed: UInt64) {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next() | 1
        s1 = next() | 1
        s2 = next() | 1
        s3 = next() | 1
        s4 = next() | 1
        s5 = next() | 1
    }

    /// Multiplies to 128 bits and folds the halves together.
    @inlinable @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The hash of a state id.
    @inlinable @inline(__always)
    func hash(_ id: StateID) -> UInt64 {
        let h = Self.mum(id.id ^ s0, UInt64(id.creatorID) ^ s1)
        return Self.mum(h ^ s2, s3)
    }

    /// The hash of a lookup key (addresses, ports, routing domain, family and protocol).
    @inlinable @inline(__always)
    func hash(_ key: StateLookupKey) -> UInt64 {
        let k = key.key
        let tail = UInt64(k.port0) << 48 | UInt64(k.port1) << 32 | UInt64(k.rdomain) << 16
            | UInt64(k.af.rawValue) << 8 | UInt64(key.proto)
        let a = Self.mum(k.addr0.high ^ s0, k.addr0.low ^ s1)
        let b = Self.mum(k.addr1.high ^ s2, k.addr1.low ^ s3)
        return Self.mum(a ^ tail ^ s4, b ^ s5)
    }
}

extension StateLookupKey {
    /// Field-by-field equality that the optimiser can inline across modules (the synthesised
    /// `==` is an opaque call from other modules).
    @inlinable @inline(__always)
    func sameKey(as other: StateLookupKey) -> Bool {
        let a = key
        let b = other.key
        return a.addr0.high == b.addr0.high && a.addr0.low == b.addr0.low
            && a.addr1.high == b.addr1.high && a.addr1.low == b.addr1.low
            && a.port0 == b.port0 && a.port1 == b.port1 && a.rdomain == b.rdomain
            && a.af == b.af && proto == other.proto
    }
}

extension StateID {
    /// Inlinable equality for the table's hot paths.
    @inlinable @inline(__always)
    func same(as other: StateID) -> Bool {
        id == other.id && creatorID == other.creatorID
    }
}

/// The smallest power of two that is >= `value` (1 for values <= 1), capped at 2^40.
@inlinable
func tableNextPowerOfTwo(_ value: Int) -> Int {
    var result = 1
    while result < value && result < 1 << 40 { result <<= 1 }
    return result
}
