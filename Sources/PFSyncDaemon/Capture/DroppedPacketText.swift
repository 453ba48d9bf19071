import PFSyncCore
import PFSyncTracker

/// One line telling why a session's packet was dropped after a takeover: the packet (endpoints,
/// TCP flags, sequence and acknowledgement numbers, payload length, window) and the state it
/// met, if any (both peers' sequence windows and TCP states), so an operator can tell a
/// replication lag from a state that never arrived.
enum DroppedPacketText {
    static func line(_ packet: ParsedPacket, verdict: Verdict, state: PFState?) -> String {
        var text = verdict == .noState ? "no state: " : "out of window: "
        text += IPProtocol.name(packet.proto) + " " + packet.srcAddr.endpoint(port: packet.srcPort, family: packet.af)
            + " > " + packet.dstAddr.endpoint(port: packet.dstPort, family: packet.af)
        if packet.proto == IPProtocol.tcp {
            text += " [\(flags(packet.tcpFlags))] seq \(packet.seq) ack \(packet.ack) len \(packet.payloadLength)"
                + " win \(packet.window)"
        }
        guard let state else { return text }
        text += "; state \(state.identity)"
        if state.proto == IPProtocol.tcp {
            text += " src " + peer(state.src) + " dst " + peer(state.dst)
        }
        return text
    }

    private static func peer(_ peer: StatePeer) -> String {
        "\(PeerState.tcpName(peer.state)) seqlo \(peer.seqLo) seqhi \(peer.seqHi) maxwin \(peer.maxWin) wscale \(peer.wscale)"
    }

    private static func flags(_ value: UInt8) -> String {
        let names: [(UInt8, Character)] = [
            (ParsedPacket.TCPFlags.fin, "F"), (ParsedPacket.TCPFlags.syn, "S"), (ParsedPacket.TCPFlags.rst, "R"),
            (ParsedPacket.TCPFlags.psh, "P"), (ParsedPacket.TCPFlags.ack, "A"), (ParsedPacket.TCPFlags.urg, "U"),
            (ParsedPacket.TCPFlags.ece, "E"), (ParsedPacket.TCPFlags.cwr, "W"),
        ]
        return String(names.compactMap { value & $0.0 != 0 ? $0.1 : nil })
    }
}
