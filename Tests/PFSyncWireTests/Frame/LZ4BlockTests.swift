import PFSyncWire
import Testing

@Suite("LZ4 block wrapper")
struct LZ4BlockTests {
    @Test("compress then decompress gives the input back")
    func roundTrip() throws {
        let raw = FrameFixtures.compressiblePayload(count: 10_000)
        var compressed = [UInt8](repeating: 0, count: try #require(LZ4Block.compressBound(raw.count)))
        let count = try #require(raw.withUnsafeBytes { s in compressed.withUnsafeMutableBytes { LZ4Block.compress(s, into: $0) } })
        #expect(count < raw.count / 10)
        var output = [UInt8](repeating: 0, count: raw.count)
        let decoded = try compressed[..<count].withUnsafeBytes { s in
            try output.withUnsafeMutableBytes { o in
                try LZ4Block.decompress(s, declaredLength: raw.count, limit: 65_535, into: o)
            }
        }
        #expect(decoded == raw.count)
        #expect(output == raw)
    }

    @Test("every acceleration decompresses to the input; below 1 it is the default", arguments: [Int32(-3), 0, 1, 4, 16, 65_537])
    func accelerationRoundTrips(acceleration: Int32) throws {
        let raw = FrameFixtures.compressiblePayload(count: 10_000)
        func compressed(_ acceleration: Int32) throws -> [UInt8] {
            var block = [UInt8](repeating: 0, count: try #require(LZ4Block.compressBound(raw.count)))
            let count = try #require(
                raw.withUnsafeBytes { s in block.withUnsafeMutableBytes { LZ4Block.compress(s, into: $0, acceleration: acceleration) } })
            return Array(block[..<count])
        }
        let block = try compressed(acceleration)
        // LZ4 caps the acceleration; near the cap it barely looks for matches.
        if acceleration <= 16 { #expect(block.count < raw.count / 5) }
        var output = [UInt8](repeating: 0, count: raw.count)
        _ = try block.withUnsafeBytes { s in
            try output.withUnsafeMutableBytes { try LZ4Block.decompress(s, declaredLength: raw.count, limit: 65_535, into: $0) }
        }
        #expect(output == raw)
        if acceleration <= 1 { #expect(block == (try compressed(1))) }
    }

    @Test("compression into too small a buffer reports nil instead of overflowing")
    func compressBounded() {
        let raw = FrameFixtures.incompressiblePayload(count: 1_000)
        var small = [UInt8](repeating: 0xEE, count: 1_001)
        let count = raw.withUnsafeBytes { s in
            small.withUnsafeMutableBytes { LZ4Block.compress(s, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<999])) }
        }
        #expect(count == nil)
        #expect(small[999] == 0xEE && small[1_000] == 0xEE)
        #expect(LZ4Block.compressBound(-1) == nil)
        #expect([UInt8]().withUnsafeBytes { s in small.withUnsafeMutableBytes { LZ4Block.compress(s, into: $0) } } == nil)
    }

    @Test("decompression honours the limit and the output capacity")
    func decompressBounds() {
        var output = [UInt8](repeating: 0, count: 10)
        func attempt(_ block: [UInt8], declared: Int, limit: Int) -> LZ4Error? {
            do {
                try block.withUnsafeBytes { s in
                    try output.withUnsafeMutableBytes { o in
                        _ = try LZ4Block.decompress(s, declaredLength: declared, limit: limit, into: o)
                    }
                }
                return nil
            } catch let error as LZ4Error {
                return error
            } catch {
                Issue.record("unexpected error \(error)")
                return nil
            }
        }
        // A literal-only block: token 0x50 = 5 literals, then "hello".
        let hello: [UInt8] = [0x50] + Array("hello".utf8)
        #expect(attempt(hello, declared: 5, limit: 10) == nil)
        #expect(Array(output[..<5]) == Array("hello".utf8))
        #expect(attempt(hello, declared: 5, limit: 4) == .declaredLengthTooLarge(declared: 5, limit: 4))
        #expect(attempt(hello, declared: 11, limit: 100) == .outputBufferTooSmall(declared: 11, capacity: 10))
        if case .malformedBlock = attempt(hello, declared: 4, limit: 10) {} else {
            Issue.record("a block longer than the declared length must fail")
        }
        if case .malformedBlock = attempt([], declared: 4, limit: 10) {} else {
            Issue.record("an empty block must fail")
        }
    }
}
