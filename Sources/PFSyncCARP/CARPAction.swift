/// What the election asks the I/O side to do, in order.
public enum CARPAction: Sendable, Hashable {
    /// Send this advertisement (TTL 255, to the group or the unicast peer).
    case send(CARPAdvertisement)
    /// The virtual host changed state (log it; run the up or down script after the
    /// address actions that follow).
    case stateChanged(vhid: UInt8, from: CARPState, to: CARPState)
    /// Add the virtual host's addresses to its interface.
    case addAddresses(vhid: UInt8)
    /// Announce the addresses with gratuitous ARP.
    case announce(vhid: UInt8)
    /// Remove the virtual host's addresses from its interface.
    case removeAddresses(vhid: UInt8)
    /// Both this node and `peer` are master for `vhid` (split brain) - raised once per episode.
    case splitBrain(vhid: UInt8, peer: CARPIPv4Address)
    /// The split brain of `vhid` is over.
    case splitBrainResolved(vhid: UInt8)
}
