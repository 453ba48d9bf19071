/// A one-line JSON object written field by field, keys in the order they are added.
struct TrackJSON {
    private(set) var text = "{"
    private var first = true

    /// An empty object.
    init() {}

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += Self.quoted(name) + ":"
    }

    /// Adds an unsigned number.
    mutating func add(_ name: String, _ value: UInt64) {
        key(name)
        text += String(value)
    }

    /// Adds a signed number.
    mutating func add(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    /// Adds a boolean.
    mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// Adds a string.
    mutating func add(_ name: String, _ value: String) {
        key(name)
        text += Self.quoted(value)
    }

    /// Adds an array of strings.
    mutating func add(_ name: String, _ values: [String]) {
        key(name)
        text += "[" + values.map(Self.quoted).joined(separator: ",") + "]"
    }

    /// Adds an array of unsigned numbers.
    mutating func add(_ name: String, _ values: [UInt64]) {
        key(name)
        text += "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    /// Adds a nested object.
    mutating func add(_ name: String, _ object: TrackJSON) {
        key(name)
        text += object.closed
    }

    /// The finished object text.
    var closed: String { text + "}" }

    /// `value` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
