import Dispatch
import Synchronization
import Testing
@testable import PFSyncCore

/// Several threads hammering one table; then the table must be consistent, and each
/// thread's private id range must hold exactly what that thread's own model says.
@Suite struct StateTableConcurrencyTests {
    static let workers = 4
    static let privateIDs = 1500
    static let sharedIDs = 200
    static let sharedBase: UInt64 = 1 << 40

    /// A key in worker `worker`'s private key space (addr1 carries the worker).
    static func privateKey(worker: Int, number: Int) -> StateKey {
        StateKey(
            addr0: IPAddress(ipv4: UInt32(truncatingIfNeeded: number)),
            addr1: IPAddress(ipv4: 0x0B00_0000 | UInt32(worker)), port0: 1, port1: 2)
    }

    /// A key from the small pool all workers' shared-range states draw from.
    static func sharedKey(_ number: Int) -> StateKey {
        StateKey(
            addr0: IPAddress(ipv4: UInt32(number)), addr1: IPAddress(ipv4: 0x0C00_0000), port0: 3,
            port1: 4)
    }

    /// Runs the mixed workload of one worker; returns its model of its private range.
    static func work(worker: Int, table: StateTable) -> [StateID: PFState] {
        var rng = SeededGenerator(seed: UInt64(worker) &+ 77)
        var model: [StateID: PFState] = [:]
        var generation = 0
        let base = UInt64(worker) << 32
        for _ in 0..<12_000 {
            let pick = rng.below(100)
            if pick < 70 {
                // Private range: deterministic outcome.
                let id = StateID(id: base + UInt64(rng.below(privateIDs)), creatorID: 1)
                switch pick {
                case 0..<20:
                    generation += 1
                    var state = PFState(identity: id, wireKey: privateKey(worker: worker, number: generation))
                    state.expire = .max
                    if rng.below(2) == 0 {
                        state.stackKey = privateKey(worker: worker, number: -generation)
                    }
                    let outcome = table.insert(state)
                    #expect(outcome == (model[id] == nil ? .inserted : .duplicateID))
                    if model[id] == nil { model[id] = state }
                case 20..<45:
                    let rekey = rng.below(8) == 0
                    if rekey { generation += 1 }
                    let newKey = privateKey(worker: worker, number: generation)
                    let done = table.update(id) { state -> Bool in
                        state.packets.forward &+= 1
                        if rekey { state.wireKey = newKey }
                        return true
                    }
                    #expect((done ?? false) == (model[id] != nil))
                    if model[id] != nil {
                        model[id]!.packets.forward &+= 1
                        if rekey { model[id]!.wireKey = newKey }
                    }
                case 45..<55:
                    #expect(table.remove(id) == model.removeValue(forKey: id))
                case 55..<62:
                    if let state = model[id] {
                        #expect(table.state(forKey: state.wireLookupKey) == state)
                        #expect(table.update(key: state.stackLookupKey) { $0.identity } == id)
                    }
                default:
                    generation += 1
                    var state = PFState(identity: id, wireKey: privateKey(worker: worker, number: generation))
                    state.expire = .max
                    state.rule = UInt32(generation)
                    #expect(table.upsert(state) == (model[id] == nil))
                    model[id] = state
                }
            } else {
                // Shared range: racy by design, only must not break the table.
                let id = StateID(id: sharedBase + UInt64(rng.below(sharedIDs)), creatorID: 2)
                var state = PFState(identity: id, wireKey: sharedKey(rng.below(300)))
                state.expire = UInt32(rng.below(1000))
                switch pick {
                case 70..<78: table.insert(state)
                case 78..<84: table.upsert(state, recordChange: true)
                case 84..<90: table.update(id) { $0.wireKey = sharedKey(rng.below(300)) }
                case 90..<94: table.remove(id)
                case 94..<97:
                    _ = table.state(forKey: state.wireLookupKey)
                case 97:
                    var removed: [StateID] = []
                    table.expire(now: UInt32(rng.below(1000)), limit: 20, into: &removed)
                    #expect(removed.allSatisfy { $0.creatorID == 2 })
                default:
                    var deltas: [StateDelta] = []
                    table.drainChanges(shard: rng.below(table.shardCount), into: &deltas)
                }
            }
        }
        return model
    }

    @Test(arguments: [2, 8])
    func mixedOperationsFromSeveralThreadsKeepTheTableConsistent(shardCount: Int) {
        let table = StateTable(shardCount: shardCount, initialCapacityPerShard: 16)
        let models = ModelBox(count: Self.workers)
        DispatchQueue.concurrentPerform(iterations: Self.workers) { worker in
            models.store(Self.work(worker: worker, table: table), at: worker)
        }
        #expect(table.invariantViolations() == [])
        let all = table.allStates()
        #expect(table.count == all.count)
        for state in all {
            #expect(table.state(for: state.identity) == state)
            #expect(table.stateID(forKey: state.wireLookupKey) == state.identity)
            #expect(table.stateID(forKey: state.stackLookupKey) == state.identity)
        }
        for worker in 0..<Self.workers {
            let model = models.load(worker)
            let base = UInt64(worker) << 32
            let actual = all.filter { $0.identity.id >> 32 == UInt64(worker) && $0.identity.creatorID == 1 }
            #expect(actual.count == model.count)
            for id in (0..<UInt64(Self.privateIDs)).map({ StateID(id: base + $0, creatorID: 1) }) {
                #expect(table.state(for: id) == model[id])
            }
        }
    }
}

/// Per-worker results, each written by one worker and read after all joined.
final class ModelBox: Sendable {
    private let models: Mutex<[Int: [StateID: PFState]]>

    init(count: Int) {
        models = Mutex([:])
    }

    func store(_ model: [StateID: PFState], at index: Int) {
        models.withLock { $0[index] = model }
    }

    func load(_ index: Int) -> [StateID: PFState] {
        models.withLock { $0[index] ?? [:] }
    }
}
