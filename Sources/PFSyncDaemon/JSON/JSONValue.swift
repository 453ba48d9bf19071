/// A JSON value with objects that keep their keys in the order they were written: the
/// control socket's requests and responses, and what the CLI renders.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Integers are kept exact (every pfsync counter is a UInt64).
    case unsigned(UInt64)
    case signed(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Key/value pairs in order.
    case object([(String, JSONValue)])

    /// The value of `key` in an object, or nil.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The value as an unsigned integer (non-negative integers and integral doubles).
    public var unsignedValue: UInt64? {
        switch self {
        case .unsigned(let value): return value
        case .signed(let value): return value >= 0 ? UInt64(value) : nil
        case .double(let value):
            return value >= 0 && value < 1.8e19 && value.rounded() == value ? UInt64(value) : nil
        default: return nil
        }
    }

    /// The value as a double (any number).
    public var doubleValue: Double? {
        switch self {
        case .unsigned(let value): return Double(value)
        case .signed(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The string, or nil.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The boolean, or nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array, or nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The pairs of an object, or nil.
    public var objectPairs: [(String, JSONValue)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default:
            if let a = lhs.exactInteger, let b = rhs.exactInteger { return a == b }
            if let a = lhs.doubleValue, let b = rhs.doubleValue { return a == b }
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let values): hasher.combine(values)
        case .object(let pairs):
            for (key, value) in pairs {
                hasher.combine(key)
                hasher.combine(value)
            }
        case .unsigned, .signed, .double:
            if let integer = exactInteger {
                hasher.combine(integer.negative)
                hasher.combine(integer.magnitude)
            } else {
                hasher.combine(doubleValue ?? 0)
            }
        }
    }

    /// Integers of either sign as one comparable reading.
    private var exactInteger: (negative: Bool, magnitude: UInt64)? {
        switch self {
        case .unsigned(let value): return (false, value)
        case .signed(let value): return (value < 0, value.magnitude)
        default: return nil
        }
    }
}
