#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a configuration file's text.
enum ConfigFile {
    /// The file's contents, or the reason it cannot be read.
    static func read(path: String) -> Result<String, ConfigFileError> {
        guard let file = fopen(path, "rb") else {
            return .failure(ConfigFileError(path: path, reason: String(cString: strerror(errno))))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > 1 << 20 {
                return .failure(ConfigFileError(path: path, reason: "larger than 1 MiB"))
            }
        }
        if ferror(file) != 0 { return .failure(ConfigFileError(path: path, reason: "read error")) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}

/// A configuration file that could not be read.
struct ConfigFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot read \(path): \(reason)" }
}
