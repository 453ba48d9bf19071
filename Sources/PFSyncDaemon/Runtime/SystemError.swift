#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of a system error, for one-line messages.
enum SystemError {
    /// `strerror`'s text for `code`: by default the calling thread's last `errno`, read
    /// where the call is written, before anything else can change it.
    static func text(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
