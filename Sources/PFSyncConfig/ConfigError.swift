/// A configuration problem, naming the key and what is wrong with it.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted key ("sync.maxupd"), or empty for file-level problems.
    public var key: String
    /// What is wrong.
    public var problem: String
    /// Line number in the file, when known.
    public var line: Int?

    /// Creates an error.
    public init(key: String, problem: String, line: Int? = nil) {
        self.key = key
        self.problem = problem
        self.line = line
    }

    public var description: String {
        let place = line.map { " (line \($0))" } ?? ""
        return key.isEmpty ? "config\(place): \(problem)" : "config: \(key)\(place): \(problem)"
    }
}
