import PFSyncCore
import PFSyncTracker

/// Surviving states printed the way `pfctl -ss` prints them, or as JSON objects.
///
/// pfctl prints key address 1, an arrow (`<-` for states created inbound, `->` outbound),
/// then key address 0; for inbound states that is "destination <- source". The two peer
/// states follow in the same left-to-right order: TCP by name (`ESTABLISHED:ESTABLISHED`),
/// UDP and other protocols as `SINGLE` / `MULTIPLE` / `NO_TRAFFIC`, ICMP as numbers.
enum StateListing {
    /// Column the peer states start at (at least three spaces after the addresses).
    static let stateColumn = 48

    /// One `pfctl -ss` line.
    static func line(_ state: PFState) -> String {
        let ifname = state.ifname == .empty ? "all" : state.ifname.description
        let key = state.wireKey
        let arrow = state.direction == PFDirection.outbound ? " -> " : " <- "
        let head = ifname + " " + IPProtocol.name(state.proto) + " "
            + key.addr1.endpoint(port: key.port1, family: state.af) + arrow
            + key.addr0.endpoint(port: key.port0, family: state.af)
        let pad = String(repeating: " ", count: max(3, stateColumn - head.count))
        return head + pad + peerStates(state)
    }

    /// One JSON object: `id`, `creator_id`, `interface`, `af`, `proto`, `direction`,
    /// `src` / `dst` (address and port of the peer that sent the first packet and of the
    /// other), `src_state` / `dst_state`, `packets` and `bytes` ([from src, from dst]),
    /// `age` and `expires_in` (seconds, relative to the clock at the end of the capture),
    /// `timeout` (pf's timeout class name).
    static func json(_ state: PFState, now: UInt32) -> String {
        let key = state.wireKey
        let outbound = state.direction == PFDirection.outbound
        // Inbound: key 0 is the first packet's source; outbound: key 1.
        let src = outbound ? key.addr1.endpoint(port: key.port1, family: state.af) : key.addr0.endpoint(port: key.port0, family: state.af)
        let dst = outbound ? key.addr0.endpoint(port: key.port0, family: state.af) : key.addr1.endpoint(port: key.port1, family: state.af)
        var object = TrackJSON()
        object.add("id", Hex.u64(state.identity.id))
        object.add("creator_id", Hex.u32(state.identity.creatorID))
        object.add("interface", state.ifname == .empty ? "all" : state.ifname.description)
        object.add("af", state.af.name)
        object.add("proto", IPProtocol.name(state.proto))
        object.add("direction", outbound ? "out" : "in")
        object.add("src", src)
        object.add("dst", dst)
        object.add("src_state", peerStateName(state.src.state, proto: state.proto))
        object.add("dst_state", peerStateName(state.dst.state, proto: state.proto))
        object.add("packets", [state.packets.forward, state.packets.reverse])
        object.add("bytes", [state.bytes.forward, state.bytes.reverse])
        object.add("age", UInt64(now >= state.creation ? now - state.creation : 0))
        object.add("expires_in", UInt64(PFState.secondsRemaining(until: state.expire, now: now)))
        object.add("timeout", TimeoutClass(rawValue: state.timeout)?.pfName ?? String(state.timeout))
        return object.closed
    }

    /// `left:right` in the order the addresses are printed.
    static func peerStates(_ state: PFState) -> String {
        let outbound = state.direction == PFDirection.outbound
        let left = outbound ? state.src.state : state.dst.state
        let right = outbound ? state.dst.state : state.src.state
        return peerStateName(left, proto: state.proto) + ":" + peerStateName(right, proto: state.proto)
    }

    /// pfctl's name of one peer state for a protocol.
    static func peerStateName(_ value: UInt8, proto: UInt8) -> String {
        switch proto {
        case IPProtocol.tcp: return PeerState.tcpName(value)
        case IPProtocol.icmp, IPProtocol.icmpv6: return String(value)
        default: return PeerState.pseudoName(value)
        }
    }
}
