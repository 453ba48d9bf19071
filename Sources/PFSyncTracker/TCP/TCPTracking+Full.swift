import PFSyncCore

extension TCPTracking {
    /// pf's `pf_tcp_track_full` (Guido van Rooij's sequence tracking) for a passive observer.
    ///
    /// Steps, as pf:
    /// 1. Window scaling applies only when both peers' SYNs carried the option, and never
    ///    to a SYN itself.
    /// 2. The first packet from a peer (its seqlo still 0) sets its seqlo, SYN_SENT, seqhi
    ///    and max_win; a SYN|ACK records its wscale only if the other SYN offered one (if
    ///    not, the other side's recorded scaling is dropped).
    /// 3. Acceptance: `seqhi >= data_end`, `seq >= seqlo - (peer max_win << dws)`, the
    ///    ack skew within `[-MAXACKWINDOW, MAXACKWINDOW << sws]`, and a RST's sequence
    ///    exactly seqlo, seqlo + 1 or seqlo - 1. Packets without payload, SYN or FIN are
    ///    checked as if at seqlo.
    /// 4. Accepted: max_win, seqlo and the peer's seqhi slide; SYN/FIN/ACK/RST move the
    ///    peer states; the timeout class and expiry are refreshed.
    /// 5. Otherwise, when the handshake is incomplete or either peer is at or past
    ///    FIN_WAIT_2, pf's looser window (one MAXACKWINDOW either side) accepts the packet,
    ///    updates sequence fields and FIN/RST states but not the expiry.
    /// 6. Otherwise the packet is out of window and the state is left exactly as it was.
    ///    (pf additionally resets the sender's window when both peers are SYN_SENT, as it
    ///    answers with a RST; an observer sends no RST, so it changes nothing.)
    ///
    /// Sequence modulation (seqdiff) is honoured on read but never created.
    public static func trackFull(
        _ state: inout PFState, packet: ParsedPacket, fromSource: Bool,
        now: UInt32, timeouts: TrackerTimeouts
    ) -> Outcome {
        typealias F = ParsedPacket.TCPFlags
        var src = fromSource ? state.src : state.dst
        var dst = fromSource ? state.dst : state.src
        let flags = packet.tcpFlags
        let isSYN = flags & F.syn != 0
        var window = UInt32(packet.window)

        var sourceShift: UInt32 = 0
        var destinationShift: UInt32 = 0
        if src.wscale != 0 && dst.wscale != 0 && !isSYN {
            sourceShift = TCPSequence.shift(src.wscale)
            destinationShift = TCPSequence.shift(dst.wscale)
        }

        let originalSeq = packet.seq
        var seq = packet.seq
        var ack: UInt32
        var end: UInt32
        var dataEnd: UInt32

        if src.seqLo == 0 {
            // First packet from this peer.
            ack = packet.ack
            end = seq &+ packet.payloadLength
            if isSYN {
                end &+= 1
                if dst.wscale & TCPSequence.wscaleFlag != 0 {
                    src.wscale = windowScale(of: packet)
                    if src.wscale & TCPSequence.wscaleFlag != 0 {
                        // Both offered scaling: unscale this SYN's own window.
                        sourceShift = TCPSequence.shift(src.wscale)
                        window = (window + (1 << sourceShift) - 1) >> sourceShift
                        destinationShift = TCPSequence.shift(dst.wscale)
                    } else {
                        // Only the other side offered it: undo its scaling.
                        let scaled = UInt32(dst.maxWin) << TCPSequence.shift(dst.wscale)
                        dst.maxWin = UInt16(truncatingIfNeeded: min(TCPSequence.maxWindow, scaled))
                        dst.wscale = 0
                    }
                }
            }
            dataEnd = end
            if flags & F.fin != 0 { end &+= 1 }

            src.seqLo = seq
            if src.state < PeerState.synSent { src.state = PeerState.synSent }
            if isSYN && packet.hasMSS { src.mss = packet.mss }
            let reach = max(1, UInt32(dst.maxWin) << destinationShift)
            if src.seqHi == 1 || TCPSequence.geq(end &+ reach, src.seqHi) {
                src.seqHi = end &+ reach
            }
            if window > UInt32(src.maxWin) { src.maxWin = UInt16(truncatingIfNeeded: window) }
        } else {
            ack = packet.ack &- dst.seqDiff
            end = seq &+ packet.payloadLength
            if isSYN { end &+= 1 }
            dataEnd = end
            if flags & F.fin != 0 { end &+= 1 }
        }

        if flags & F.ack == 0 {
            // Let it pass the ack skew check.
            ack = dst.seqLo
        } else if (ack == 0 && flags & (F.ack | F.rst) == (F.ack | F.rst))
            || dst.state < PeerState.synSent
        {
            // Broken stacks ack 0 on RST; nothing to ack before the peer spoke.
            ack = dst.seqLo
        }

        if seq == end {
            // No data, SYN or FIN: ease the sequence checks.
            seq = src.seqLo
            end = seq
            dataEnd = seq
        }

        let ackSkew = Int64(Int32(bitPattern: dst.seqLo &- ack))
        let maxAck = Int64(TCPSequence.maxAckWindow)
        let scaledWindow = window << sourceShift

        let strictlyInWindow =
            TCPSequence.geq(src.seqHi, dataEnd)
            && TCPSequence.geq(seq, src.seqLo &- (UInt32(dst.maxWin) << destinationShift))
            && ackSkew >= -maxAck
            && ackSkew <= (maxAck << Int64(sourceShift))
            && (flags & F.rst == 0 || originalSeq == src.seqLo
                || originalSeq == src.seqLo &+ 1 || originalSeq &+ 1 == src.seqLo)

        let outcome: Outcome
        if strictlyInWindow {
            slide(source: &src, destination: &dst, window: window, end: end, ack: ack,
                  scaledWindow: scaledWindow)
            applyFlags(flags, source: &src, destination: &dst)
            outcome = .accepted
        } else if (dst.state < PeerState.synSent || dst.state >= PeerState.finWait2
                   || src.state >= PeerState.finWait2)
            && TCPSequence.geq(src.seqHi &+ TCPSequence.maxAckWindow, dataEnd)
            && TCPSequence.geq(seq, src.seqLo &- TCPSequence.maxAckWindow)
        {
            slide(source: &src, destination: &dst, window: window, end: end, ack: ack,
                  scaledWindow: scaledWindow)
            if flags & F.fin != 0 && src.state < PeerState.closing {
                src.state = PeerState.closing
            }
            if flags & F.rst != 0 {
                src.state = PeerState.timeWait
                dst.state = PeerState.timeWait
            }
            outcome = .acceptedLoosely
        } else {
            return .outOfWindow
        }

        if fromSource {
            state.src = src
            state.dst = dst
        } else {
            state.src = dst
            state.dst = src
        }
        if outcome == .accepted {
            refreshTimeout(&state, now: now, timeouts: timeouts)
        }
        return outcome
    }

    /// The window bookkeeping of an accepted packet: max_win grows, seqlo advances to the
    /// packet's end, and the other peer may now send up to ack + window.
    @inline(__always)
    private static func slide(
        source src: inout StatePeer, destination dst: inout StatePeer,
        window: UInt32, end: UInt32, ack: UInt32, scaledWindow: UInt32
    ) {
        if UInt32(src.maxWin) < window { src.maxWin = UInt16(truncatingIfNeeded: window) }
        if TCPSequence.gt(end, src.seqLo) { src.seqLo = end }
        if TCPSequence.geq(ack &+ scaledWindow, dst.seqHi) {
            dst.seqHi = ack &+ max(scaledWindow, 1)
        }
    }
}
