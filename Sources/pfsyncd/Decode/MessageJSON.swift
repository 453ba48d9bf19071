import PFSyncCore
import PFSyncWire

/// The JSON form of pfsync messages (`pfsyncd decode --json`). The keys and their order are
/// a public interface: users script against them.
extension JSONLine {
    /// Writes one message as a whole object: `version`, `action`, then the action's fields.
    mutating func message(_ message: PFSyncMessage, version: PFSyncVersion) {
        beginObject()
        field("version", version.rawValue)
        field("action", message.actionName)
        switch message {
        case let .clear(ifname, creatorID):
            field("ifname", ifname.description)
            field("creatorid", Hex.u32(creatorID))
        case let .insert(state, _), let .update(state, _), let .delete(state):
            self.state(state)
        case let .insertAck(identity), let .updateRequest(identity), let .compressedDelete(identity):
            field("id", Hex.u64(identity.id))
            field("creatorid", Hex.u32(identity.creatorID))
        case let .compressedUpdate(update):
            field("id", Hex.u64(update.identity.id))
            field("creatorid", Hex.u32(update.identity.creatorID))
            peer("src", update.src)
            peer("dst", update.dst)
            field("expire", update.expire)
            field("timeout", update.timeout)
            if let extra = update.counters {
                counters("packets", extra.packets)
                counters("bytes", extra.bytes)
            }
        case let .bulkStatus(bulk):
            field("creatorid", Hex.u32(bulk.creatorID))
            field("endtime", bulk.endTime)
            field("status", MessageNames.bulkStatus(bulk.status))
        case let .tdb(tdb):
            field("spi", Hex.u32(tdb.spi))
            field("dst_addr", tdb.dstAddress.formatted(tdb.dstFamily == 2 ? .inet : .inet6))
            field("sproto", tdb.sproto)
            field("rpl", tdb.rpl)
            field("cur_bytes", tdb.curBytes)
            field("updates", tdb.updates)
            field("rdomain", tdb.rdomain)
        case .eof:
            break
        }
        endObject()
    }

    /// `{"error": text, "frame": number}`.
    mutating func error(_ text: String, frame: Int) {
        beginObject()
        field("error", text)
        field("frame", frame)
        endObject()
    }

    /// The fields of a full state, in the documented order.
    private mutating func state(_ state: PFState) {
        field("id", Hex.u64(state.identity.id))
        field("creatorid", Hex.u32(state.identity.creatorID))
        field("ifname", state.ifname.description)
        field("af", state.af.name)
        field("proto", state.proto)
        field("direction", MessageNames.direction(state.direction))
        key("key")
        beginArray()
        stateKey(state.wireKey)
        stateKey(state.stackKey)
        endArray()
        peer("src", state.src)
        peer("dst", state.dst)
        field("creation", state.creation)
        field("expire", state.expire)
        counters("packets", state.packets)
        counters("bytes", state.bytes)
        field("timeout", state.timeout)
        field("state_flags", state.stateFlags)
        field("sync_flags", state.syncFlags)
        field("updates", state.updates)
        field("log", state.log)
        field("rt", state.rt)
        field("rt_ifname", state.rtIfname.description)
    }

    /// `{"addr": [a, b], "port": [p, q]}`, addresses in the key's own family.
    private mutating func stateKey(_ stateKey: StateKey) {
        beginObject()
        key("addr")
        beginArray()
        string(stateKey.addr0.formatted(stateKey.af))
        string(stateKey.addr1.formatted(stateKey.af))
        endArray()
        key("port")
        beginArray()
        number(stateKey.port0)
        number(stateKey.port1)
        endArray()
        endObject()
    }

    /// A peer object: seqlo, seqhi, seqdiff, max_win, mss, state, wscale.
    private mutating func peer(_ name: String, _ peer: StatePeer) {
        key(name)
        beginObject()
        field("seqlo", peer.seqLo)
        field("seqhi", peer.seqHi)
        field("seqdiff", peer.seqDiff)
        field("max_win", peer.maxWin)
        field("mss", peer.mss)
        field("state", peer.state)
        field("wscale", peer.wscale)
        endObject()
    }

    /// `[direction 0, direction 1]`.
    private mutating func counters(_ name: String, _ pair: CounterPair) {
        key(name)
        beginArray()
        number(pair.forward)
        number(pair.reverse)
        endArray()
    }
}

/// Names shared by the JSON and text forms.
enum MessageNames {
    /// "in", "out", or pf's "inout" for 0.
    static func direction(_ value: UInt8) -> String {
        switch value {
        case 1: return "in"
        case 2: return "out"
        case 0: return "inout"
        default: return "dir\(value)"
        }
    }

    /// "START", "END", or the number.
    static func bulkStatus(_ value: UInt8) -> String {
        switch value {
        case BulkStatus.start: return "START"
        case BulkStatus.end: return "END"
        default: return "STATUS\(value)"
        }
    }

    /// tcp, udp, icmp, icmp6 or the number.
    static func proto(_ value: UInt8) -> String {
        switch value {
        case 6: return "tcp"
        case 17: return "udp"
        case 1: return "icmp"
        case 58: return "icmp6"
        case 132: return "sctp"
        default: return "proto\(value)"
        }
    }

    /// pfctl's name of a peer state for the protocol.
    static func peerState(_ value: UInt8, proto: UInt8) -> String {
        proto == 6 ? PeerState.tcpName(value) : PeerState.pseudoName(value)
    }
}
