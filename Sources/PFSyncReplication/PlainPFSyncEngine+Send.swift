import PFSyncCore
import PFSyncWire

extension PlainPFSyncEngine {
    /// What pfsync sends for a change: INS for a new state, UPD_C (no counters) for a
    /// change, DEL_C for a deletion.
    func message(for delta: StateDelta, stateNow: UInt32) -> PFSyncMessage {
        switch delta.kind {
        case .insert:
            return .insert(delta.state.wireTimes(now: stateNow), config.stateEncoding)
        case .update:
            return .compressedUpdate(compressedUpdate(of: delta.state, stateNow: stateNow))
        case .delete:
            return .compressedDelete(delta.state.identity)
        }
    }

    /// pfsync's UPD_C for a state: peers, seconds remaining and timeout class.
    func compressedUpdate(of state: PFState, stateNow: UInt32) -> CompressedUpdate {
        CompressedUpdate(
            identity: state.identity, src: state.src, dst: state.dst,
            expire: PFState.secondsRemaining(until: state.expire, now: stateNow), timeout: state.timeout)
    }

    /// Packs every queued message into as few packets as the MTU allows and sends them.
    /// Returns the number of packets sent.
    @discardableResult
    func sendOutbound(send: (UnsafeRawBufferPointer) -> Void) -> Int {
        var packets = 0
        var start = 0
        while start < outbound.count {
            writer.reset()
            var end = start
            while end < outbound.count, writer.append(outbound[end]) {
                end += 1
            }
            if end == start {
                // A message version 5 cannot carry (or larger than the MTU): drop and count it.
                counters[.oerrors] += 1
                start += 1
                continue
            }
            let length = writer.finish { packet -> Int in
                send(packet)
                return packet.count
            }
            packets += 1
            counters[.opackets] += 1
            counters[.framesSent] += 1
            counters[.bytesSent] += UInt64(length)
            counters[.rawBytesSent] += UInt64(length)
            counters[.messagesSent] += UInt64(end - start)
            for index in start..<end {
                counters.countAction(outbound[index].actionIndex, incoming: false)
            }
            start = end
        }
        counters[.queueMax] = max(counters[.queueMax], UInt64(outbound.count))
        outbound.removeAll(keepingCapacity: true)
        return packets
    }
}
