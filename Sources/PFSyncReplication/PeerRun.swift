/// One run of a peer daemon: its node id and the epoch it chose at start. What a node
/// received from a peer's run, that run still holds (unless it deleted it since); a peer
/// that restarts is a new run and holds nothing.
struct PeerRun: Equatable {
    /// The peer's node id (creatorid).
    var nodeID: UInt32
    /// The epoch of the run.
    var epoch: UInt32
}
