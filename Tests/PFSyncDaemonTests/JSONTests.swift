import Testing
@testable import PFSyncDaemon

@Suite struct JSONTests {
    @Test func roundTripsNestedValuesInKeyOrder() throws {
        let value = JSONValue.object([
            ("zeta", .unsigned(UInt64.max)),
            ("alpha", .array([.signed(-3), .double(2.5), .null, .bool(true)])),
            ("text", .string("quote \" backslash \\ newline \n tab \t bell \u{07} é")),
            ("empty", .object([])),
        ])
        let text = value.jsonText
        #expect(text.hasPrefix("{\"zeta\":18446744073709551615,\"alpha\":[-3,2.5,null,true]"))
        #expect(text.contains("\\u0007"))
        let parsed = try JSONParser.parse(text)
        #expect(parsed == value)
        #expect(parsed.objectPairs?.map(\.0) == ["zeta", "alpha", "text", "empty"])
    }

    @Test func readsEscapesAndSurrogatePairs() throws {
        let parsed = try JSONParser.parse(#"{"a":"\u00e9\ud83d\ude00\/","b":-0.5e1}"#)
        #expect(parsed["a"]?.stringValue == "é😀/")
        #expect(parsed["b"]?.doubleValue == -5)
    }

    @Test(arguments: [
        "", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "\"open", "tru", "01x", "{\"a\":1} x", "\"\\ud800\"",
        "\"\\q\"", "-", "[" + String(repeating: "[", count: 100) + "]",
    ])
    func refusesMalformedText(text: String) {
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse(text) }
    }

    @Test func neverTrapsOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let alphabet = Array("{}[]\":,0123456789-.eEtrufalsn \\u".utf8)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            if let value = try? JSONParser.parse(bytes) {
                #expect((try? JSONParser.parse(value.jsonText)) == value)
            }
        }
    }
}
