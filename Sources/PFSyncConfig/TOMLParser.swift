/// A parser for the subset of TOML that pfsyncd's configuration uses: comments, `[table]`
/// and `[table.sub]` headers, `key = value` with bare or quoted keys (dotted keys allowed),
/// basic and literal strings, integers (decimal, `0x`, `0o`, `0b`, `_` separators), floats,
/// booleans, and arrays of those (which may span lines). Anything else is refused with the
/// line number and the reason; nothing is guessed.
public struct TOMLParser {
    private var bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var tablePrefix = ""
    private var seenKeys: [String: Int] = [:]
    private var entries: [TOMLEntry] = []

    /// Parses a whole document into entries in file order.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> [TOMLEntry] {
        var parser = TOMLParser(bytes: Array(text.utf8))
        try parser.parseDocument()
        return parser.entries
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func fail(_ message: String) -> TOMLSyntaxError {
        TOMLSyntaxError(line: line, message: message)
    }

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }

    private mutating func skipSpaces() {
        while !atEnd, current == 0x20 || current == 0x09 { index += 1 }
    }

    /// Skips spaces, a comment, and requires the end of the line (or file).
    private mutating func endOfLine() throws(TOMLSyntaxError) {
        skipSpaces()
        if !atEnd, current == UInt8(ascii: "#") {
            while !atEnd, current != 0x0A { index += 1 }
        }
        if atEnd { return }
        if current == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
        guard current == 0x0A else {
            throw fail("unexpected text after the value: '\(restOfLine())'")
        }
        index += 1
        line += 1
    }

    private func restOfLine() -> String {
        var end = index
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private mutating func parseDocument() throws(TOMLSyntaxError) {
        while !atEnd {
            skipSpaces()
            if atEnd { break }
            switch current {
            case 0x0A, 0x0D, UInt8(ascii: "#"):
                try endOfLine()
            case UInt8(ascii: "["):
                try parseTableHeader()
            default:
                try parseKeyValue()
            }
        }
    }

    private mutating func parseTableHeader() throws(TOMLSyntaxError) {
        index += 1
        if !atEnd, current == UInt8(ascii: "[") {
            throw fail("arrays of tables ([[...]]) are not supported")
        }
        skipSpaces()
        let key = try parseDottedKey()
        skipSpaces()
        guard !atEnd, current == UInt8(ascii: "]") else { throw fail("expected ']' after table name") }
        index += 1
        if seenKeys["[" + key + "]"] != nil { throw fail("table [\(key)] is defined twice") }
        seenKeys["[" + key + "]"] = line
        tablePrefix = key + "."
        try endOfLine()
    }

    private mutating func parseKeyValue() throws(TOMLSyntaxError) {
        let key = tablePrefix + (try parseDottedKey())
        skipSpaces()
        guard !atEnd, current == UInt8(ascii: "=") else { throw fail("expected '=' after key '\(key)'") }
        index += 1
        skipSpaces()
        let startLine = line
        let value = try parseValue()
        if let previous = seenKeys[key] {
            throw TOMLSyntaxError(line: startLine, message: "key '\(key)' is already set on line \(previous)")
        }
        seenKeys[key] = startLine
        entries.append(TOMLEntry(key: key, value: value, line: startLine))
        try endOfLine()
    }

    private mutating func parseDottedKey() throws(TOMLSyntaxError) -> String {
        var parts: [String] = []
        while true {
            skipSpaces()
            parts.append(try parseSimpleKey())
            skipSpaces()
            if !atEnd, current == UInt8(ascii: ".") {
                index += 1
                continue
            }
            return parts.joined(separator: ".")
        }
    }

    private mutating func parseSimpleKey() throws(TOMLSyntaxError) -> String {
        guard !atEnd else { throw fail("expected a key") }
        if current == UInt8(ascii: "\"") { return try parseBasicString() }
        if current == UInt8(ascii: "'") { return try parseLiteralString() }
        let start = index
        while !atEnd, Self.isBareKeyByte(current) { index += 1 }
        guard index > start else {
            throw fail("expected a key, found '\(restOfLine())'")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private mutating func parseValue() throws(TOMLSyntaxError) -> TOMLValue {
        guard !atEnd, current != 0x0A else { throw fail("missing value") }
        switch current {
        case UInt8(ascii: "\""):
            if hasPrefix("\"\"\"") { throw fail("multi-line strings are not supported") }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if hasPrefix("'''") { throw fail("multi-line strings are not supported") }
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            throw fail("inline tables are not supported; use a [table] section")
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if hasPrefix("true") { index += 4; return .boolean(true) }
            if hasPrefix("false") { index += 5; return .boolean(false) }
            throw fail("unknown value '\(restOfLine())' (strings need quotes)")
        default:
            return try parseNumber()
        }
    }

    private func hasPrefix(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        return Array(bytes[index..<index + utf8.count]) == utf8
    }

    private mutating func parseArray() throws(TOMLSyntaxError) -> TOMLValue {
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipArrayWhitespace()
            guard !atEnd else { throw fail("unterminated array") }
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            elements.append(try parseValue())
            try skipArrayWhitespace()
            guard !atEnd else { throw fail("unterminated array") }
            if current == UInt8(ascii: ",") {
                index += 1
            } else if current != UInt8(ascii: "]") {
                throw fail("expected ',' or ']' in array")
            }
        }
    }

    private mutating func skipArrayWhitespace() throws(TOMLSyntaxError) {
        while !atEnd {
            switch current {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
            case UInt8(ascii: "#"):
                while !atEnd, current != 0x0A { index += 1 }
            default:
                return
            }
        }
    }

    private mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        index += 1
        let start = index
        while !atEnd, current != UInt8(ascii: "'") {
            if current == 0x0A { throw fail("unterminated string") }
            index += 1
        }
        guard !atEnd else { throw fail("unterminated string") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return text
    }

    private mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard !atEnd, current != 0x0A else { throw fail("unterminated string") }
            let byte = current
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard !atEnd else { throw fail("unterminated string") }
            let escape = current
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "\""): out.append(0x22)
            default: throw fail("unsupported escape '\\\(Character(Unicode.Scalar(escape)))' in string")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue {
        let start = index
        while !atEnd, !Self.endsValue(current) { index += 1 }
        var text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else { throw fail("missing value") }
        let original = text
        text.removeAll { $0 == "_" }
        var negative = false
        var digits = Substring(text)
        if digits.hasPrefix("+") { digits = digits.dropFirst() } else if digits.hasPrefix("-") {
            negative = true
            digits = digits.dropFirst()
        }
        let radix: Int
        if digits.hasPrefix("0x") { radix = 16 } else if digits.hasPrefix("0o") { radix = 8 } else if digits.hasPrefix("0b") {
            radix = 2
        } else { radix = 10 }
        if radix != 10 { digits = digits.dropFirst(2) }
        if let magnitude = UInt64(digits, radix: radix) {
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { throw fail("integer '\(original)' is out of range") }
                return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
            guard magnitude <= UInt64(Int64.max) else { throw fail("integer '\(original)' is out of range") }
            return .integer(Int64(magnitude))
        }
        if radix == 10, !digits.isEmpty, digits.allSatisfy(\.isNumber) {
            throw fail("integer '\(original)' is out of range")
        }
        if radix == 10, let number = Double(text), number.isFinite {
            return .float(number)
        }
        throw fail("'\(original)' is not a valid value (strings need quotes)")
    }

    private static func endsValue(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "#")
            || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")
    }
}
