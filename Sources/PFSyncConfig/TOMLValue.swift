/// A value read from the configuration file (the TOML subset pfsyncd accepts).
public enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .boolean: return "a boolean"
        case .array: return "an array"
        }
    }
}

/// A configuration entry: its dotted key ("sync.peer"), its value and the line it was on.
public struct TOMLEntry: Sendable, Hashable {
    /// Full dotted key, table prefix included.
    public var key: String
    /// The value.
    public var value: TOMLValue
    /// 1-based line number in the file.
    public var line: Int
}

/// A syntax error in the configuration file.
public struct TOMLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String

    public var description: String { "line \(line): \(message)" }
}
