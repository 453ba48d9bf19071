#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before any service starts, that this process may open the raw IP protocol-240
/// socket plain pfsync mode needs.
public enum RawSocketPreflight {
    /// The message when the socket cannot be opened (names the configuration key).
    public static func problem(errno code: Int32) -> String {
        "sync.mode = \"pfsync\": plain pfsync mode needs CAP_NET_RAW (run as root): "
            + "cannot open a raw IP protocol 240 socket: \(SystemError.text(code))"
    }

    /// Opens and closes a raw IPv4 socket for protocol 240; throws when that fails.
    public static func check() throws(SyncSetupError) {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_RAW.rawValue), 240)
        #else
        let descriptor = socket(AF_INET, SOCK_RAW, 240)
        #endif
        guard descriptor >= 0 else { throw SyncSetupError(problem(errno: errno)) }
        close(descriptor)
    }
}
