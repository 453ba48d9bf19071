/// What the tracker decided about one packet. Every packet gets exactly one.
public enum Verdict: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The packet created a new state.
    case created
    /// The packet matched a state and was accepted (TCP: inside the window, or pf's looser
    /// check near the handshake or after FIN/RST; ICMP errors: the quoted flow's state).
    case matched
    /// The packet belongs to a known TCP state but is outside its sequence window: counted,
    /// and the state is left unchanged (pf drops it with reason BADSTATE).
    case outOfWindow
    /// No state matches and the packet may not create one (pf with `block all` and
    /// `pass keep state flags S/SA` drops it).
    case noState
    /// Truncated or malformed headers, or a TCP flag combination pf's normaliser drops.
    case invalid
    /// Not an IPv4 or IPv6 packet (ARP, LLDP, ...): not tracked and not counted as a packet.
    case notIP

    /// snake_case name as the CLI prints it.
    public var description: String {
        switch self {
        case .created: return "created"
        case .matched: return "matched"
        case .outOfWindow: return "out_of_window"
        case .noState: return "no_state"
        case .invalid: return "invalid"
        case .notIP: return "not_ip"
        }
    }
}
