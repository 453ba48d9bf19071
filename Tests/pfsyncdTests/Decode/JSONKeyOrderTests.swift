import Testing

@Suite("Test helper: top-level JSON key order")
struct JSONKeyOrderTests {
    @Test("Nested keys and strings that look like keys are ignored")
    func topLevelOnly() {
        let line: Substring = #"{"a":1,"b":{"c":2},"d":["e:",{"f":3}],"g":"h\":"}"#
        #expect(DecodeRunner.keyOrder(line) == ["a", "b", "d", "g"])
    }
}
