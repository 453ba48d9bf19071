import PFSyncDaemon

/// Aligned "name   value" text for the human forms of the control commands.
struct TextTable {
    private var lines: [(indent: Int, name: String, value: String?)] = []

    /// A section heading.
    mutating func heading(_ title: String) {
        lines.append((0, title, nil))
    }

    /// An indented row.
    mutating func row(_ name: String, _ value: String, indent: Int = 2) {
        lines.append((indent, name, value))
    }

    /// Rows for every pair of an object (nested objects become sub-headings).
    mutating func rows(of value: JSONValue, indent: Int = 2) {
        for (name, child) in value.objectPairs ?? [] {
            if case .object = child {
                lines.append((indent, name, nil))
                rows(of: child, indent: indent + 2)
            } else {
                row(name, Self.text(child), indent: indent)
            }
        }
    }

    /// The text, values aligned in one column.
    var text: String {
        let width = lines.filter { $0.value != nil }.map { $0.indent + $0.name.count }.max() ?? 0
        var out = ""
        for line in lines {
            let label = String(repeating: " ", count: line.indent) + line.name
            if let value = line.value {
                out += label + String(repeating: " ", count: max(1, width - label.count + 2)) + value + "\n"
            } else {
                out += label + ":\n"
            }
        }
        return out
    }

    /// A scalar as text ("-" for null).
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "-"
        case .bool(let flag): return flag ? "yes" : "no"
        case .string(let text): return text
        case .unsigned(let number): return String(number)
        case .signed(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .array(let values): return values.map(text).joined(separator: ", ")
        case .object: return value.jsonText
        }
    }
}
