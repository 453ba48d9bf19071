import Testing
@testable import PFSyncWire

/// The delta section's LEB128 varints: the 64-bit-load fast path and the byte-by-byte
/// path read exactly what the writer wrote, at every length, and refuse what no writer
/// writes.
@Suite struct DeltaVarintTests {
    /// Values of every encoded length 1...10, with the edges of each length.
    static func values() -> [UInt64] {
        var values: [UInt64] = [0, 1, 0x7F, 0x80, .max, .max - 1]
        for bits in stride(from: 7, to: 64, by: 7) {
            let edge = UInt64(1) << UInt64(bits)
            values += [edge - 1, edge, edge + 1]
        }
        var rng = SeededGenerator(seed: 0xD1_7A)
        for _ in 0..<2000 {
            let bits = UInt64.random(in: 0...64, using: &rng)
            let value = bits == 64 ? rng.next() : rng.next() & ((UInt64(1) << bits) - 1)
            values.append(value)
        }
        return values
    }

    /// Writes `values` back to back, then `padding` bytes that are not part of any varint.
    static func encode(_ values: [UInt64], padding: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * 10 + padding)
        let length = bytes.withUnsafeMutableBytes { raw in
            var cursor = DeltaOutputCursor(base: raw.baseAddress!, offset: 0)
            for value in values { cursor.varint(value) }
            return cursor.offset
        }
        for index in length..<(length + padding) { bytes[index] = 0xFF }
        return Array(bytes[0..<(length + padding)])
    }

    @Test(arguments: [0, 3, 7, 8, 16])
    func everyLengthReadsBackWithAnyAmountOfBytesAfterIt(padding: Int) throws {
        let values = Self.values()
        let bytes = Self.encode(values, padding: padding)
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            var cursor = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: raw.count - padding)
            for value in values { #expect(try cursor.varint() == value) }
            #expect(cursor.offset == raw.count - padding)
        }
    }

    @Test func theFastPathAndTheByteByBytePathAgreeOnEveryValue() throws {
        let values = Self.values()
        let bytes = Self.encode(values, padding: 16)
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            var fast = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: raw.count)
            var slow = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: raw.count)
            for _ in values {
                #expect(try fast.varint() == slow.varintByteByByte())
                #expect(fast.offset == slow.offset)
            }
        }
    }

    @Test func anElevenByteOrOverflowingVarintIsRefused() {
        let tooLong = [UInt8](repeating: 0x80, count: 10) + [0x01, 0, 0, 0, 0, 0, 0, 0]
        let overflow = [UInt8](repeating: 0xFF, count: 9) + [0x02] + [UInt8](repeating: 0, count: 8)
        for bytes in [tooLong, overflow] {
            bytes.withUnsafeBytes { raw in
                var cursor = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: raw.count)
                #expect(throws: PFSyncError.self) { try cursor.varint() }
            }
        }
    }

    @Test func aVarintCutShortAtTheEndIsRefused() {
        let bytes: [UInt8] = [0x80, 0x80, 0x80]
        bytes.withUnsafeBytes { raw in
            var cursor = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: raw.count)
            #expect(throws: PFSyncError.self) { try cursor.varint() }
        }
        // The same bytes followed by more that are outside the section (end stops before them).
        let longer: [UInt8] = [0x80, 0x80, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0]
        longer.withUnsafeBytes { raw in
            var cursor = DeltaInputCursor(base: raw.baseAddress!, offset: 0, end: 3)
            #expect(throws: PFSyncError.self) { try cursor.varint() }
        }
    }
}
