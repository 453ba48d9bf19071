import Testing
@testable import PFSyncReplication

@Suite struct ReceiveWindowTests {
    typealias Window = ReceiveWindow<Int>

    @Test func deliversInOrderAndHoldsEarlyFrames() {
        var window = Window(gapTimeout: 100)
        var delivered: [UInt64] = []
        let record: (UInt64, Int) -> Void = { sequence, _ in delivered.append(sequence) }
        #expect(window.receive(epoch: 1, sequence: 10, payload: 0, now: 0, deliver: record) == .delivered)
        #expect(window.receive(epoch: 1, sequence: 12, payload: 0, now: 1, deliver: record) == .held)
        #expect(window.receive(epoch: 1, sequence: 13, payload: 0, now: 1, deliver: record) == .held)
        #expect(window.missingRanges() == [11...11])
        #expect(window.receive(epoch: 1, sequence: 11, payload: 0, now: 2, deliver: record) == .delivered)
        #expect(delivered == [10, 11, 12, 13])
        #expect(window.missingRanges().isEmpty)
        #expect(!window.hasGap)
    }

    @Test func aControlFrameBeforeAnyDataStartsTheWindowAfterTheSendersLastFrame() {
        var window = Window(gapTimeout: 100)
        let started = window.startIfFirst(epoch: 3, after: 1_600)
        #expect(started)
        #expect(window.expected == 1_601)
        #expect(!window.hasGap)
        // What the sender sent before is not asked for; what follows is delivered.
        #expect(window.receive(epoch: 3, sequence: 1_590, payload: 0, now: 0) { _, _ in } == .duplicate)
        #expect(window.receive(epoch: 3, sequence: 1_601, payload: 0, now: 0) { _, _ in } == .delivered)
        // Once a frame was received, a control frame changes nothing.
        let again = window.startIfFirst(epoch: 3, after: 5_000)
        let newer = window.startIfFirst(epoch: 4, after: 5_000)
        #expect(!again && !newer)
        #expect(window.expected == 1_602)
    }

    @Test func duplicatesAndReplaysAreTold() {
        var window = Window(duplicateHorizon: 8, gapTimeout: 100)
        for sequence in UInt64(100)...120 {
            _ = window.receive(epoch: 5, sequence: sequence, payload: 0, now: 0) { _, _ in }
        }
        #expect(window.receive(epoch: 5, sequence: 118, payload: 0, now: 0) { _, _ in } == .duplicate)
        #expect(window.receive(epoch: 5, sequence: 101, payload: 0, now: 0) { _, _ in } == .replay)
        #expect(window.receive(epoch: 4, sequence: 500, payload: 0, now: 0) { _, _ in } == .replay)
    }

    @Test func newEpochResetsTheWindow() {
        var window = Window(gapTimeout: 100)
        _ = window.receive(epoch: 1, sequence: 50, payload: 0, now: 0) { _, _ in }
        _ = window.receive(epoch: 1, sequence: 52, payload: 0, now: 0) { _, _ in }
        var delivered: [UInt64] = []
        #expect(window.receive(epoch: 2, sequence: 0, payload: 0, now: 1) { s, _ in delivered.append(s) } == .delivered)
        #expect(delivered == [0])
        #expect(window.heldCount == 0)
        #expect(window.expected == 1)
    }

    @Test func keepaliveRevealsTailLossAndTheGapExpires() {
        var window = Window(gapTimeout: 100)
        _ = window.receive(epoch: 1, sequence: 0, payload: 0, now: 0) { _, _ in }
        window.senderAnnounced(epoch: 1, lastSequence: 3, now: 10)
        #expect(window.missingRanges() == [1...3])
        #expect(window.expireGap(now: 50) { _, _ in } == 0)
        #expect(window.expireGap(now: 110) { _, _ in } == 3)
        #expect(window.lost == 3)
        #expect(!window.hasGap)
        #expect(window.receive(epoch: 1, sequence: 2, payload: 0, now: 120) { _, _ in } == .duplicate)
        #expect(window.receive(epoch: 1, sequence: 4, payload: 0, now: 120) { _, _ in } == .delivered)
    }

    @Test func givingUpDeliversHeldFramesInOrder() {
        var window = Window(gapTimeout: 100)
        var delivered: [UInt64] = []
        _ = window.receive(epoch: 1, sequence: 0, payload: 0, now: 0) { s, _ in delivered.append(s) }
        _ = window.receive(epoch: 1, sequence: 3, payload: 0, now: 0) { s, _ in delivered.append(s) }
        _ = window.receive(epoch: 1, sequence: 5, payload: 0, now: 0) { s, _ in delivered.append(s) }
        #expect(window.missingRanges() == [1...2, 4...4])
        let lost = window.giveUp(through: 5, now: 1) { s, _ in delivered.append(s) }
        #expect(lost == 3)
        #expect(delivered == [0, 3, 5])
        #expect(window.expected == 6)
    }

    @Test func holdLimitOverflows() {
        var window = Window(holdLimit: 2, gapTimeout: 100)
        _ = window.receive(epoch: 1, sequence: 0, payload: 0, now: 0) { _, _ in }
        #expect(window.receive(epoch: 1, sequence: 2, payload: 0, now: 0) { _, _ in } == .held)
        #expect(window.receive(epoch: 1, sequence: 3, payload: 0, now: 0) { _, _ in } == .held)
        #expect(window.receive(epoch: 1, sequence: 4, payload: 0, now: 0) { _, _ in } == .overflow)
    }

    @Test func randomLossDuplicationAndReorderStillDeliverEachFrameOnceInOrder() {
        var generator = SplitMix(seed: 42)
        var window = Window(gapTimeout: 1_000_000)
        var delivered: [UInt64] = []
        // Sender sends 0..<2000; the network drops, duplicates and reorders; lost frames
        // are resent (as after a NACK) until everything is through.
        var pending = Array(UInt64(0)..<2000)
        var rounds = 0
        while !pending.isEmpty && rounds < 50 {
            rounds += 1
            var wire: [UInt64] = []
            for sequence in pending where generator.next() % 10 != 0 {
                wire.append(sequence)
                if generator.next() % 20 == 0 { wire.append(sequence) }
            }
            for i in stride(from: wire.count - 1, to: 0, by: -1) where generator.next() % 8 == 0 {
                wire.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            for sequence in wire {
                _ = window.receive(epoch: 1, sequence: sequence, payload: 0, now: 0) { s, _ in delivered.append(s) }
            }
            pending = pending.filter { $0 >= window.expected && !delivered.contains($0) }
            pending = pending.filter { _ in true }
        }
        #expect(delivered == Array(0..<2000))
    }
}

/// A small deterministic generator for reproducible tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
