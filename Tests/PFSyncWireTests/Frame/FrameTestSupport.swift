import PFSyncWire
import Testing

/// Deterministic random numbers for the frame tests (SplitMix64).
struct FrameTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }
}

/// Keys and payloads shared by the frame tests.
enum FrameFixtures {
    static let keyBytes: [UInt8] = Array("pfsyncd-test-key-0123456789abcdef".utf8)
    static let otherKeyBytes: [UInt8] = Array("pfsyncd-other-key-0123456789abcd".utf8)

    static func key() throws -> SyncKey { try SyncKey(bytes: keyBytes) }
    static func otherKey() throws -> SyncKey { try SyncKey(bytes: otherKeyBytes) }

    /// A payload LZ4 shrinks a lot: a repeated 40-byte record.
    static func compressiblePayload(count: Int) -> [UInt8] {
        let record = Array("state 10.0.0.1:443 -> 10.0.0.2:51234 ES\n".utf8)
        return (0..<count).map { record[$0 % record.count] }
    }

    /// A payload LZ4 cannot shrink.
    static func incompressiblePayload(count: Int, seed: UInt64 = 7) -> [UInt8] {
        var random = FrameTestRandom(seed: seed)
        return random.bytes(count)
    }
}

/// Builds frames byte by byte, with any header values, and a valid tag when given a key:
/// lets tests reach the checks that run after authentication.
struct FrameForge {
    var magic: UInt32 = SyncFrameLayout.magic
    var version: UInt8 = SyncFrameLayout.version
    var kind: UInt8 = SyncFrameKind.data.rawValue
    var flags: UInt8 = 0
    var reserved: UInt8 = 0
    var senderID: UInt32 = 0x0102_0304
    var epoch: UInt32 = 0x0A0B_0C0D
    var sequence: UInt64 = 42
    var rawLength: UInt16 = 0
    var payloadLength: UInt16? = nil
    var payload: [UInt8] = []

    func bytes(key: SyncKey?) -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
        }
        put(magic)
        out.append(version)
        out.append(kind)
        out.append(flags)
        out.append(reserved)
        put(senderID)
        put(epoch)
        put(sequence)
        put(rawLength)
        put(payloadLength ?? UInt16(payload.count))
        out.append(contentsOf: payload)
        var tag = [UInt8](repeating: 0, count: SyncFrameLayout.tagSize)
        if let key {
            let signed = out
            let authenticator = SyncFrameAuthenticator(key: key)
            signed.withUnsafeBytes { message in
                tag.withUnsafeMutableBytes { authenticator.writeTag(of: message, into: $0) }
            }
        }
        out.append(contentsOf: tag)
        return out
    }
}

/// Runs `body` and returns the thrown frame error, or `nil` when it did not throw
/// (any other error is recorded as a test issue).
func frameError(_ body: () throws -> Void) -> SyncFrameError? {
    do {
        try body()
        return nil
    } catch let error as SyncFrameError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
