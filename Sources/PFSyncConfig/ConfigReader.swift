/// Typed, validating access to parsed TOML entries. Every read marks its key as known, so
/// that ``finish()`` can refuse keys nobody reads (typos such as `maxupdate`).
struct ConfigReader {
    private var entries: [String: TOMLEntry] = [:]
    private var consumed: Set<String> = []
    private let order: [String]

    init(entries list: [TOMLEntry]) {
        for entry in list { entries[entry.key] = entry }
        order = list.map(\.key)
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    private mutating func entry(_ key: String) -> TOMLEntry? {
        consumed.insert(key)
        return entries[key]
    }

    private func wrongType(_ entry: TOMLEntry, expected: String) -> ConfigError {
        ConfigError(key: entry.key, problem: "must be \(expected), not \(entry.value.typeName)", line: entry.line)
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let entry = entry(key) else { return nil }
        guard case .string(let text) = entry.value else { throw wrongType(entry, expected: "a string") }
        guard !text.isEmpty else { throw ConfigError(key: key, problem: "must not be empty", line: entry.line) }
        return text
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let entry = entry(key) else { return nil }
        guard case .boolean(let value) = entry.value else { throw wrongType(entry, expected: "true or false") }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigError) -> Int64? {
        guard let entry = entry(key) else { return nil }
        guard case .integer(let value) = entry.value else { throw wrongType(entry, expected: "an integer") }
        guard range.contains(value) else {
            throw ConfigError(
                key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))",
                line: entry.line)
        }
        return value
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let entry = entry(key) else { return nil }
        let value: Double
        switch entry.value {
        case .integer(let integer): value = Double(integer)
        case .float(let float): value = float
        default: throw wrongType(entry, expected: "a number")
        }
        guard range.contains(value) else {
            throw ConfigError(
                key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))",
                line: entry.line)
        }
        return value
    }

    mutating func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let entry = entry(key) else { return nil }
        switch entry.value {
        case .string(let single):
            return [single]
        case .array(let values):
            var result: [String] = []
            for value in values {
                guard case .string(let text) = value, !text.isEmpty else {
                    throw ConfigError(key: key, problem: "must be an array of non-empty strings", line: entry.line)
                }
                result.append(text)
            }
            return result
        default:
            throw wrongType(entry, expected: "a string or an array of strings")
        }
    }

    func line(of key: String) -> Int? { entries[key]?.line }

    /// Refuses every key that no reader asked for.
    func finish(known: [String]) throws(ConfigError) {
        for key in order where !consumed.contains(key) {
            let hint = Self.closest(to: key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw ConfigError(key: key, problem: "unknown key\(hint)", line: entries[key]?.line)
        }
    }

    private static func closest(to key: String, in known: [String]) -> String? {
        var best: (String, Int)?
        for candidate in known {
            let distance = editDistance(Array(key.utf8), Array(candidate.utf8))
            if distance <= 3, best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                row[j + 1] = min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
