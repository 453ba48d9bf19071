import PFSyncCore

/// The value checks pf applies before importing a state or an update (internal):
/// timeout below PFTM_MAX, peer states at most PF_TCPS_PROXY_DST, direction at most PF_OUT,
/// a known address family. Failures are ``PFSyncCounter/badval``.
enum StateValidation {
    /// Reads a wire address family or throws badval.
    static func family(_ value: UInt8, field: String, at offset: Int) throws(PFSyncError) -> AddressFamily {
        guard let family = AddressFamily(wireValue: value) else {
            throw PFSyncError(counter: .badval, offset: offset, reason: "\(field) \(value) is not inet or inet6")
        }
        return family
    }

    /// Checks the fields an update and a compressed update share.
    static func checkPeersAndTimeout(
        src: StatePeer, dst: StatePeer, timeout: UInt8, version: PFSyncVersion, at offset: Int
    ) throws(PFSyncError) {
        let limit = PFLimit.timeoutLimit(version)
        if timeout >= limit {
            throw PFSyncError(counter: .badval, offset: offset, reason: "timeout \(timeout) >= PFTM_MAX \(limit)")
        }
        if src.state > PFLimit.maxPeerState {
            throw PFSyncError(counter: .badval, offset: offset, reason: "src peer state \(src.state) out of range")
        }
        if dst.state > PFLimit.maxPeerState {
            throw PFSyncError(counter: .badval, offset: offset, reason: "dst peer state \(dst.state) out of range")
        }
    }

    /// Checks a full state: peers, timeout and direction.
    static func checkState(_ state: PFState, version: PFSyncVersion, at offset: Int) throws(PFSyncError) {
        try checkPeersAndTimeout(
            src: state.src, dst: state.dst, timeout: state.timeout, version: version, at: offset)
        if state.direction > PFLimit.maxDirection {
            throw PFSyncError(counter: .badval, offset: offset, reason: "direction \(state.direction) is not in/out")
        }
    }
}
