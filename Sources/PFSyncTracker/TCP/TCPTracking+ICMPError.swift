import PFSyncCore

extension TCPTracking {
    /// pf's check of the TCP segment quoted in an ICMP error (`pf_test_state_icmp`): the
    /// quoted sequence number must lie in the window of the peer that sent the quoted
    /// segment (`quotedFromSource`), i.e. `seqhi >= seq >= seqlo - (other max_win << dws)`.
    /// Sloppy states skip the check. The state is not changed.
    public static func quotedSequenceIsPlausible(
        _ state: PFState, quotedSeq: UInt32, quotedFromSource: Bool
    ) -> Bool {
        if state.stateFlags & PFStateFlags.sloppy != 0 { return true }
        let src = quotedFromSource ? state.src : state.dst
        let dst = quotedFromSource ? state.dst : state.src
        let seq = quotedSeq &- src.seqDiff
        let destinationShift: UInt32 =
            src.wscale != 0 && dst.wscale != 0 ? TCPSequence.shift(dst.wscale) : 0
        return TCPSequence.geq(src.seqHi, seq)
            && TCPSequence.geq(seq, src.seqLo &- (UInt32(dst.maxWin) << destinationShift))
    }
}
