import PFSyncCore
import Synchronization
import Testing

/// The table's change signal: the sleeping sender is woken by the first poke after it armed.
@Suite struct ChangeSignalTests {
    final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func firesOncePerArming() {
        let signal = ChangeSignal()
        let fired = Count()
        signal.setWake { fired.value.add(1, ordering: .relaxed) }
        signal.poke()
        #expect(fired.value.load(ordering: .relaxed) == 0, "not armed: a poke does nothing")
        signal.arm()
        #expect(signal.isArmed)
        signal.poke()
        signal.poke()
        #expect(fired.value.load(ordering: .relaxed) == 1)
        #expect(!signal.isArmed)
        signal.arm()
        #expect(signal.disarm())
        signal.poke()
        #expect(fired.value.load(ordering: .relaxed) == 1, "disarmed: nothing")
        #expect(!signal.disarm())
    }

    @Test func concurrentPokesFireOnce() async {
        let signal = ChangeSignal()
        let fired = Count()
        signal.setWake { fired.value.add(1, ordering: .relaxed) }
        for round in 1...50 {
            signal.arm()
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { for _ in 0..<100 { signal.poke() } } }
            }
            #expect(fired.value.load(ordering: .relaxed) == round)
        }
    }
}
