import PFSyncCore

/// A state as `pfsyncd states --json` prints it: the decode command's field names, with
/// times as the seconds until expiry and the age at `now`.
public enum StateJSON {
    /// The JSON object of `state` at table time `now` (seconds).
    public static func object(_ state: PFState, now: UInt32) -> JSONValue {
        .object([
            ("id", .string(Hex.u64(state.identity.id))),
            ("creatorid", .string(Hex.u32(state.identity.creatorID))),
            ("ifname", .string(state.ifname.description)),
            ("af", .string(state.af.name)),
            ("proto", .unsigned(UInt64(state.proto))),
            ("direction", .string(direction(state.direction))),
            ("key", .array([key(state.wireKey), key(state.stackKey)])),
            ("src", peer(state.src)),
            ("dst", peer(state.dst)),
            ("packets", .array([.unsigned(state.packets.forward), .unsigned(state.packets.reverse)])),
            ("bytes", .array([.unsigned(state.bytes.forward), .unsigned(state.bytes.reverse)])),
            ("timeout", .unsigned(UInt64(state.timeout))),
            ("expire_in", .unsigned(UInt64(PFState.secondsRemaining(until: state.expire, now: now)))),
            ("age", .unsigned(UInt64(now >= state.creation ? now - state.creation : 0))),
        ])
    }

    /// "in", "out", or pf's "inout" for 0.
    public static func direction(_ value: UInt8) -> String {
        switch value {
        case 1: return "in"
        case 2: return "out"
        case 0: return "inout"
        default: return "dir\(value)"
        }
    }

    private static func key(_ key: StateKey) -> JSONValue {
        .object([
            ("addr", .array([.string(key.addr0.formatted(key.af)), .string(key.addr1.formatted(key.af))])),
            ("port", .array([.unsigned(UInt64(key.port0)), .unsigned(UInt64(key.port1))])),
        ])
    }

    private static func peer(_ peer: StatePeer) -> JSONValue {
        .object([
            ("seqlo", .unsigned(UInt64(peer.seqLo))),
            ("seqhi", .unsigned(UInt64(peer.seqHi))),
            ("seqdiff", .unsigned(UInt64(peer.seqDiff))),
            ("max_win", .unsigned(UInt64(peer.maxWin))),
            ("mss", .unsigned(UInt64(peer.mss))),
            ("state", .unsigned(UInt64(peer.state))),
            ("wscale", .unsigned(UInt64(peer.wscale))),
        ])
    }
}
