/// Builds one JSON object by hand, keys in the order they are written, strings escaped per
/// RFC 8259. Reused line after line (``reset()`` keeps the capacity).
struct JSONLine {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// One flag per open object or array: true once it has an element (a comma is due).
    private var hasElement: [Bool] = []
    /// True right after a key: the next value needs no comma.
    private var valueFollowsKey = false

    /// An empty line builder.
    init() {
        bytes.reserveCapacity(2048)
        hasElement.reserveCapacity(8)
    }

    /// Clears the builder for the next line.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasElement.removeAll(keepingCapacity: true)
        valueFollowsKey = false
    }

    /// Opens an object (as a value: after ``key(_:)``, in an array or at the top).
    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        hasElement.append(false)
    }

    /// Closes the innermost object.
    mutating func endObject() {
        hasElement.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array.
    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        hasElement.append(false)
    }

    /// Closes the innermost array.
    mutating func endArray() {
        hasElement.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"name":`; the next value call writes its value.
    mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        valueFollowsKey = true
    }

    /// A string value.
    mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
    }

    /// An unsigned number value.
    mutating func number<T: BinaryInteger>(_ value: T) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `"name": "value"`.
    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// `"name": number`.
    mutating func field<T: BinaryInteger>(_ name: String, _ value: T) {
        key(name)
        number(value)
    }

    /// Writes a comma when the enclosing container already has an element, then marks it.
    private mutating func separate() {
        if valueFollowsKey {
            valueFollowsKey = false
            return
        }
        guard !hasElement.isEmpty else { return }
        if hasElement[hasElement.count - 1] { bytes.append(UInt8(ascii: ",")) }
        hasElement[hasElement.count - 1] = true
    }

    /// `"text"` with quotes, backslashes and control characters escaped.
    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0a: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7f:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0f)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
