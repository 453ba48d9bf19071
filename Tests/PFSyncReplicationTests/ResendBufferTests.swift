import Testing
@testable import PFSyncReplication

@Suite struct ResendBufferTests {
    @Test func keepsTheLastFramesAndForgetsOlderOnes() {
        var buffer = ResendBuffer(capacity: 4, maxFrameSize: 16)
        for sequence in UInt64(0)..<10 {
            let bytes = [UInt8](repeating: UInt8(sequence), count: Int(sequence % 5) + 1)
            bytes.withUnsafeBytes { buffer.store(sequence: sequence, frame: $0) }
        }
        #expect(buffer.oldestSequence == 6)
        #expect(buffer.withFrame(sequence: 5) { Array($0) } == nil)
        #expect(buffer.withFrame(sequence: 10) { Array($0) } == nil)
        for sequence in UInt64(6)..<10 {
            let expected = [UInt8](repeating: UInt8(sequence), count: Int(sequence % 5) + 1)
            #expect(buffer.withFrame(sequence: sequence) { Array($0) } == expected)
        }
    }

    @Test func aJumpInSequenceForgetsThePast() {
        var buffer = ResendBuffer(capacity: 8, maxFrameSize: 4)
        [UInt8]([1, 2]).withUnsafeBytes { buffer.store(sequence: 0, frame: $0) }
        [UInt8]([3]).withUnsafeBytes { buffer.store(sequence: 100, frame: $0) }
        #expect(buffer.oldestSequence == 100)
        #expect(buffer.withFrame(sequence: 0) { Array($0) } == nil)
    }
}
