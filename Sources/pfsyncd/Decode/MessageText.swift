import PFSyncCore
import PFSyncWire

/// The readable one-line form of pfsync messages (the default output of `pfsyncd decode`).
enum MessageText {
    /// The text after the packet prefix for one message, e.g.
    /// `INS_1400 id 0x.../0x... tcp 10.0.0.1:49152 -> 192.0.2.80:443 on em0 in ESTABLISHED:ESTABLISHED expire 86380s`.
    static func describe(_ message: PFSyncMessage) -> String {
        let action = message.actionName
        switch message {
        case let .clear(ifname, creatorID):
            let scope = ifname.description.isEmpty ? "all interfaces" : "on \(ifname)"
            return "\(action) creatorid \(Hex.u32(creatorID)) \(scope)"
        case let .insert(state, _), let .update(state, _), let .delete(state):
            return "\(action) \(describe(state))"
        case let .insertAck(identity), let .compressedDelete(identity):
            return "\(action) id \(identity)"
        case let .updateRequest(identity):
            let bulk = identity == .bulkRequest ? " (bulk update request)" : ""
            return "\(action) id \(identity)\(bulk)"
        case let .compressedUpdate(update):
            return "\(action) id \(update.identity) src [\(describe(update.src))] dst [\(describe(update.dst))]"
                + " expire \(update.expire)s timeout \(update.timeout)"
        case let .bulkStatus(bulk):
            return "\(action) \(MessageNames.bulkStatus(bulk.status)) creatorid \(Hex.u32(bulk.creatorID)) endtime \(bulk.endTime)"
        case let .tdb(tdb):
            return "\(action) spi \(Hex.u32(tdb.spi)) rpl \(tdb.rpl) cur_bytes \(tdb.curBytes)"
        case .eof:
            return action
        }
    }

    private static func describe(_ state: PFState) -> String {
        let key = state.wireKey
        let from = endpoint(key.addr0, key.port0, key.af)
        let to = endpoint(key.addr1, key.port1, key.af)
        var text = "id \(state.identity) \(MessageNames.proto(state.proto)) \(from) -> \(to)"
        if state.stackKey != state.wireKey {
            let stack = state.stackKey
            text += " (stack \(endpoint(stack.addr0, stack.port0, stack.af)) -> \(endpoint(stack.addr1, stack.port1, stack.af)))"
        }
        let ifname = state.ifname.description
        text += " on \(ifname.isEmpty ? "any" : ifname) \(MessageNames.direction(state.direction))"
        text += " \(MessageNames.peerState(state.src.state, proto: state.proto)):\(MessageNames.peerState(state.dst.state, proto: state.proto))"
        text += " age \(state.creation)s expire \(state.expire)s"
        text += " pkts \(state.packets.forward):\(state.packets.reverse) bytes \(state.bytes.forward):\(state.bytes.reverse)"
        return text
    }

    private static func describe(_ peer: StatePeer) -> String {
        "state \(peer.state) seq \(peer.seqLo)-\(peer.seqHi) win \(peer.maxWin) wscale \(peer.wscale)"
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    static func endpoint(_ address: IPAddress, _ port: UInt16, _ af: AddressFamily) -> String {
        af == .inet ? "\(address.formatted(af)):\(port)" : "[\(address.formatted(af))]:\(port)"
    }
}
