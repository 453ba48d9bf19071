#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a pre-shared key could not be loaded; each case names the problem for the operator.
public enum SyncKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `open(2)` failed with this errno.
    case cannotOpen(path: String, errno: Int32)
    /// `fstat(2)` or `read(2)` failed with this errno.
    case cannotRead(path: String, errno: Int32)
    /// The path is not a regular file.
    case notARegularFile(path: String)
    /// The file grants group or other any access (mode shown); keys must be 0600 or 0400.
    case accessibleByOthers(path: String, mode: UInt32)
    /// The key has no bytes.
    case empty
    /// The key is shorter than ``SyncKey/minimumLength`` bytes.
    case tooShort(length: Int)
    /// The key is longer than ``SyncKey/maximumLength`` bytes.
    case tooLong(length: Int)

    /// A one-line explanation naming the problem.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let errno): "cannot open key file \(path): \(Self.text(errno: errno))"
        case .cannotRead(let path, let errno): "cannot read key file \(path): \(Self.text(errno: errno))"
        case .notARegularFile(let path): "key file \(path) is not a regular file"
        case .accessibleByOthers(let path, let mode):
            "key file \(path) has mode 0\(String(mode & 0o7777, radix: 8)); group and other must have no access (chmod 600)"
        case .empty: "key is empty"
        case .tooShort(let length):
            "key is \(length) bytes; at least \(SyncKey.minimumLength) are required"
        case .tooLong(let length):
            "key is \(length) bytes; at most \(SyncKey.maximumLength) are allowed"
        }
    }

    /// `strerror`'s text with the number ("No such file or directory (errno 2)").
    private static func text(errno: Int32) -> String {
        "\(String(cString: strerror(errno))) (errno \(errno))"
    }
}
