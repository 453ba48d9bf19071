#if canImport(Glibc)
import Glibc
#endif
import PFSyncCore
import PFSyncDaemon
import PFSyncTracker

/// Session loss across the failover (README, "Session loss"): the sessions alive on the
/// primary at the failover instant, and the verdict the new master gave the first packet
/// of each of them after it; a dropped session that passes a later packet only stalled.
struct SessionAccounting {
    /// What happened to one session after the failover.
    enum Outcome: UInt8 {
        case notAlive, untested, survived, stalled, lostNoState, lostOutOfWindow
    }

    private var outcomes: [Outcome]
    private(set) var aliveAtFailover = 0
    private(set) var tested = 0
    private(set) var stalled = 0
    private(set) var lostNoState = 0
    private(set) var lostOutOfWindow = 0

    /// Sessions lost in strict mode (no state or out of window).
    var lost: Int { lostNoState + lostOutOfWindow }
    /// Sessions lost under sloppy tracking: only "no state" (sloppy never finds the first
    /// packet out of window).
    var lostSloppy: Int { lostNoState }

    /// Room for `sessions` sessions (the capture's, times the scale).
    init(sessions: Int) {
        outcomes = [Outcome](repeating: .notAlive, count: sessions)
    }

    /// Marks the sessions whose state the primary holds, not closed and not expired.
    mutating func markAlive(states: JSONValue, image: CaptureImage, scale: Int) {
        var index: [SessionKey: Int] = [:]
        index.reserveCapacity(image.sessions.count * scale)
        for (base, key) in image.sessions.enumerated() {
            for copy in 0..<scale { index[key.scaled(copy: copy)] = base * scale + copy }
        }
        for state in states["states"]?.arrayValue ?? [] {
            guard Self.isAlive(state), let key = Self.sessionKey(of: state), let session = index[key],
                outcomes.indices.contains(session), outcomes[session] == .notAlive
            else { continue }
            outcomes[session] = .untested
            aliveAtFailover += 1
        }
    }

    /// Counts the verdict of a packet of `session` fed to the new master.
    @inline(__always)
    mutating func observe(verdict: UInt8, session: Int) {
        guard session >= 0, session < outcomes.count else { return }
        switch (outcomes[session], Verdict(rawValue: verdict)) {
        case (.untested, _):
            break
        case (.lostNoState, .matched?):
            (outcomes[session], lostNoState, stalled) = (.stalled, lostNoState - 1, stalled + 1)
            return
        case (.lostOutOfWindow, .matched?):
            (outcomes[session], lostOutOfWindow, stalled) = (.stalled, lostOutOfWindow - 1, stalled + 1)
            return
        default:
            return
        }
        tested += 1
        switch Verdict(rawValue: verdict) {
        case .noState?:
            outcomes[session] = .lostNoState
            lostNoState += 1
        case .outOfWindow?:
            outcomes[session] = .lostOutOfWindow
            lostOutOfWindow += 1
        default:
            outcomes[session] = .survived
        }
    }

    /// pf's TCPS_FIN_WAIT_2: both peers at or past it means the connection is closed.
    static let finWait2: UInt64 = 9

    /// Not closed (TCP: not both peers at FIN_WAIT_2 or later) and not expired.
    static func isAlive(_ state: JSONValue) -> Bool {
        guard let expireIn = state["expire_in"]?.unsignedValue, expireIn > 0 else { return false }
        guard state["proto"]?.unsignedValue == UInt64(IPProtocol.tcp) else { return true }
        let source = state["src"]?["state"]?.unsignedValue ?? 0
        let destination = state["dst"]?["state"]?.unsignedValue ?? 0
        return !(source >= finWait2 && destination >= finWait2)
    }

    /// The canonical key of a state as `states` lists it (its wire key).
    static func sessionKey(of state: JSONValue) -> SessionKey? {
        guard let family = state["af"]?.stringValue, let proto = state["proto"]?.unsignedValue,
            let key = state["key"]?.arrayValue?.first, let addresses = key["addr"]?.arrayValue,
            let ports = key["port"]?.arrayValue, addresses.count == 2, ports.count == 2,
            let a = address(addresses[0].stringValue, family: family),
            let b = address(addresses[1].stringValue, family: family),
            let portA = ports[0].unsignedValue, let portB = ports[1].unsignedValue
        else { return nil }
        return SessionKey(
            af: family == "inet6" ? .inet6 : .inet, proto: UInt8(truncatingIfNeeded: proto), a,
            UInt16(truncatingIfNeeded: portA), b, UInt16(truncatingIfNeeded: portB))
    }

    private static func address(_ text: String?, family: String) -> IPAddress? {
        guard let text else { return nil }
        if family == "inet6" {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            return withUnsafeBytes(of: &raw) { IPAddress(bytes: $0) }
        }
        var raw = in_addr()
        guard inet_pton(AF_INET, text, &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { IPAddress(bytes: $0) }
    }
}
