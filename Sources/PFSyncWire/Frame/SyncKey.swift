import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The pre-shared key that authenticates sync frames: every byte of the key file, exactly as
/// stored (no trimming: a trailing newline is part of the key). Both daemons must use the same
/// file. `head -c 32 /dev/urandom > key && chmod 600 key` makes a good one.
public struct SyncKey: Sendable {
    /// Fewer bytes than this are refused (128 bits, the truncated tag's strength).
    public static let minimumLength = 16
    /// More bytes than this are refused (a key file is never that large).
    public static let maximumLength = 4_096

    let symmetricKey: SymmetricKey

    /// The key length in bytes.
    public var byteCount: Int { symmetricKey.bitCount / 8 }

    /// Creates a key from bytes, refusing empty, short or oversized keys.
    public init(bytes: some Collection<UInt8>) throws(SyncKeyError) {
        let count = bytes.count
        guard count > 0 else { throw .empty }
        guard count >= Self.minimumLength else { throw .tooShort(length: count) }
        guard count <= Self.maximumLength else { throw .tooLong(length: count) }
        symmetricKey = SymmetricKey(data: Array(bytes))
    }

    /// Reads a key file.
    ///
    /// - Parameters:
    ///   - path: the key file.
    ///   - allowAccessByOthers: accept a file that group or other may access (tests only;
    ///     by default such a file is refused with ``SyncKeyError/accessibleByOthers(path:mode:)``).
    public static func load(path: String, allowAccessByOthers: Bool = false) throws(SyncKeyError)
        -> SyncKey
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotRead(path: path, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }
        let mode = UInt32(status.st_mode)
        if !allowAccessByOthers, mode & 0o077 != 0 {
            throw .accessibleByOthers(path: path, mode: mode)
        }

        // Read one byte more than allowed so an oversized file is detected without trusting
        // st_size.
        var bytes = [UInt8](repeating: 0, count: maximumLength + 1)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        var filled = 0
        while filled < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, errno: errno)
            }
            if result == 0 { break }
            filled += result
        }
        return try SyncKey(bytes: bytes[0..<filled])
    }
}
