import PFSyncCore

/// TCP sessions as tshark dissects them (one per `tcp.stream`), classified by what the
/// capture shows, to say which final tracker state a complete session must end in.
struct TCPSession {
    /// How the capture shows the session ending.
    enum Ending: String, CaseIterable {
        /// Handshake seen (SYN, SYN|ACK, ACK), no FIN, no RST: pf keeps it ESTABLISHED.
        case open
        /// Handshake seen, both peers sent a FIN and each FIN was acknowledged, no RST:
        /// pf leaves both peers in FIN_WAIT_2.
        case finished
        /// Handshake seen, then a RST: pf moves both peers to TIME_WAIT.
        case reset
        /// Anything else (no SYN first, no SYN|ACK, a half-close, an unacknowledged FIN):
        /// no claim is made.
        case incomplete
    }

    /// The peer that sent the first packet (the SYN).
    var initiator: FlowEndpoint
    var responder: FlowEndpoint
    /// Frame number of the session's last packet.
    var lastFrame: Int
    var ending: Ending

    /// The peer states pf must show for the ending (same for both peers), or nil.
    var expectedPeerState: UInt8? {
        switch ending {
        case .open: return PeerState.established
        case .finished: return PeerState.finWait2
        case .reset: return PeerState.timeWait
        case .incomplete: return nil
        }
    }

    /// The sessions of a capture, from tshark's per-packet fields (ICMP-quoted headers
    /// excluded).
    static func sessions(file: String) throws -> [TCPSession] {
        let text = try TShark.run([
            "-r", file, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields", "-E", "separator=/t",
            "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.flags",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
            "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
        ])
        var builders: [Int: Builder] = [:]
        var order: [Int] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 9, let frame = Int(f[0]), let stream = Int(f[1]),
                  let flags = UInt8(f[2].replacingOccurrences(of: "0x", with: ""), radix: 16),
                  let source = endpoint(f[3].isEmpty ? f[4] : f[3], port: f[5]),
                  let destination = endpoint(f[6].isEmpty ? f[7] : f[6], port: f[8])
            else { throw TShark.Failure.unparsable(String(line)) }
            if builders[stream] == nil {
                builders[stream] = Builder(initiator: source, responder: destination, firstFlags: flags)
                order.append(stream)
            }
            let fromInitiator = source == builders[stream]?.initiator
            builders[stream]?.add(frame: frame, flags: flags, fromInitiator: fromInitiator)
        }
        return order.compactMap { builders[$0]?.session }
    }

    private static func endpoint(_ address: String, port: String) -> FlowEndpoint? {
        // Tunnelled packets list several addresses; the innermost (last) carries the TCP.
        let innermost = address.split(separator: ",").last.map(String.init) ?? address
        guard let parsed = TShark.address(innermost), let number = UInt16(port.split(separator: ",").last ?? "") else { return nil }
        return FlowEndpoint(address: parsed.0, port: number, inet6: parsed.1)
    }

    /// Accumulates one stream's flags in frame order.
    private struct Builder {
        typealias F = ParsedPacket.TCPFlags
        let initiator: FlowEndpoint
        let responder: FlowEndpoint
        let startsWithSYN: Bool
        var synAckSeen = false
        var handshakeAckSeen = false
        var initiatorFIN = false
        var responderFIN = false
        var initiatorFINAcked = false
        var responderFINAcked = false
        var reset = false
        var lastFrame = 0

        init(initiator: FlowEndpoint, responder: FlowEndpoint, firstFlags: UInt8) {
            self.initiator = initiator
            self.responder = responder
            self.startsWithSYN = firstFlags & (F.syn | F.ack) == F.syn
        }

        mutating func add(frame: Int, flags: UInt8, fromInitiator: Bool) {
            lastFrame = frame
            if flags & F.rst != 0 { reset = true }
            let ack = flags & F.ack != 0
            if fromInitiator {
                if ack && synAckSeen { handshakeAckSeen = true }
                if ack && responderFIN { responderFINAcked = true }
                if flags & F.fin != 0 { initiatorFIN = true }
            } else {
                if flags & (F.syn | F.ack) == F.syn | F.ack { synAckSeen = true }
                if ack && initiatorFIN { initiatorFINAcked = true }
                if flags & F.fin != 0 { responderFIN = true }
            }
        }

        var session: TCPSession {
            let ending: Ending
            if !startsWithSYN || !synAckSeen || !handshakeAckSeen {
                ending = .incomplete
            } else if reset {
                ending = .reset
            } else if !initiatorFIN && !responderFIN {
                ending = .open
            } else if initiatorFIN && responderFIN && initiatorFINAcked && responderFINAcked {
                ending = .finished
            } else {
                ending = .incomplete
            }
            return TCPSession(initiator: initiator, responder: responder, lastFrame: lastFrame, ending: ending)
        }
    }
}
