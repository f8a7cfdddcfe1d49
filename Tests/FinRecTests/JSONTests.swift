import FinRec
import Testing

@Suite("JSON reader and writer")
struct JSONTests {
    func syntaxError(_ text: String) -> JSONSyntaxError? {
        parseError(Array(text.utf8))
    }

    func parseError(_ bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("Values of every kind parse, with escapes and surrogate pairs")
    func parsesValues() throws {
        let v = try JSONValue.parse(#"{"a": [1, -2.5e3, 0, true, false, null], "s": "专精\n\"\u00e9\ud83d\ude00\/"}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o["a"] == .array([.number(1), .number(-2500), .number(0), .bool(true), .bool(false), .null]))
        #expect(o["s"] == .string("专精\n\"é😀/"))
        #expect(o.keys == ["a", "s"])
    }

    @Test("A byte-order mark at the start is skipped")
    func byteOrderMark() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
    }

    @Test("Errors point at the line and column", arguments: [
        ("{\n  \"a\": 1,\n  \"b\": tru\n}", 3, 8, "expected a JSON value"),
        ("[1, 2", 1, 6, "ends inside an array"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate member name \"a\""),
        ("[01]", 1, 2, "leading zeros"),
        ("[1.]", 1, 2, "digits after the decimal point"),
        ("[1e400]", 1, 2, "outside the range"),
        ("\"abc", 1, 1, "ends inside a string"),
        ("[1] x", 1, 5, "unexpected content"),
        ("[\"\t\"]", 1, 3, "control character"),
        ("[\"\\ud800\"]", 1, 3, "low surrogate"),
        ("", 1, 1, "where a value was expected"),
        ("{\"名称\": x}", 1, 8, "expected a JSON value"),
    ])
    func errorPositions(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(syntaxError(text))
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("Invalid UTF-8 inside a string is refused with advice")
    func invalidUTF8() throws {
        let bytes = Array("[\"".utf8) + [0xD7, 0xA8, 0xBE] + Array("\"]".utf8)
        let error = try #require(parseError(bytes))
        #expect(error.message.contains("not UTF-8"))
    }

    @Test("Nesting deeper than the limit is refused, not recursed into")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(syntaxError(deep))
        #expect(error.message.contains("deeper than \(JSONValue.maximumDepth)"))
        let ok = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(syntaxError(ok) == nil)
    }

    @Test("Printed numbers parse back to the same bits", arguments: [1, 2, 3, 4] as [UInt64])
    func numberRoundTrip(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1e15, 1e16, 9007199254740992, .leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308]
        for _ in 0..<2_000 { values.append(Double(bitPattern: rng.next())) }
        values = values.filter(\.isFinite)
        let text = JSONValue.array(values.map { .number($0) }).prettyPrinted()
        guard case .array(let back) = try JSONValue.parse(text) else { Issue.record("not an array"); return }
        let bits = back.map { value -> UInt64 in
            if case .number(let x) = value { return x.bitPattern }
            return 0
        }
        #expect(bits == values.map(\.bitPattern))
    }

    @Test("The compact writer gives JSONValue.compact()'s bytes for every kind of value, from a 1-byte start through many growths", arguments: [1, 2] as [UInt64])
    func compactWriterMatchesTree(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        // Whole numbers on both sides of the 10^15 boundary, signs, -0, fractions, extremes, random bits.
        var numbers: [Double] = [0, -0.0, 1, -1, 7, -42, 999_999_999_999_999, -999_999_999_999_999, 1e15, -1e15, 1e16, 0.1, -2.5,
                                 9007199254740992, .leastNonzeroMagnitude, 1.7976931348623157e308, -1.7976931348623157e308]
        for _ in 0..<500 { numbers.append(Double(bitPattern: rng.next())) }
        for _ in 0..<500 { numbers.append(Double(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))) }
        numbers = numbers.filter(\.isFinite)
        let strings = ["", "x", "专精特新贷", "a\"b\\c\n\r\t\u{01}\u{1F}😀", String(repeating: "小巨人", count: 500), "key with \"quote\""]
        func random(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 3 ? 4 : 6) {
            case 0: .number(numbers[Int(rng.next() % UInt64(numbers.count))])
            case 1: .string(strings[Int(rng.next() % UInt64(strings.count))])
            case 2: rng.next() % 2 == 0 ? .bool(rng.next() % 2 == 0) : .null
            case 3: .number(Double(Int(rng.next() % 2_000) - 1_000))
            case 4: .array((0..<Int(rng.next() % 6)).map { _ in random(depth + 1) })
            default: .object(JSONObject((0..<Int(rng.next() % 6)).map { k in (strings[Int(rng.next() % UInt64(strings.count))] + "\(k)", random(depth + 1)) }))
            }
        }
        let values: [JSONValue] = [.array(numbers.map { .number($0) }), .array(strings.map { .string($0) }), .object(JSONObject()), .array([])]
            + (0..<50).map { _ in random(0) }
        for value in values {
            var writer = CompactJSONWriter(capacity: 1)
            writer.value(value)
            writer.newline()
            #expect(writer.bytes == Array((value.compact() + "\n").utf8))
        }
    }

    @Test("Strings with quotes, backslashes and control characters survive a round trip")
    func stringRoundTrip() throws {
        let s = "a\"b\\c\n\r\t\u{01}\u{1F}专精特新 😀"
        #expect(try JSONValue.parse(JSONValue.array([.string(s)]).prettyPrinted()) == .array([.string(s)]))
    }

    @Test("Strings are escaped exactly where a character needs it, wherever it falls in the eight-byte scan (against a one-character reference)")
    func escapingAgainstReference() {
        var generator = SplitMix64(seed: 5)
        let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{7F}", "专", "é", "𝄞", "/", "!", "~"]
        func reference(_ s: String) -> String {
            "\"" + s.unicodeScalars.map { u -> String in
                switch u {
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case "\n": return "\\n"
                case "\r": return "\\r"
                case "\t": return "\\t"
                case _ where u.value < 0x20:
                    let hex = String(u.value, radix: 16)
                    return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: return String(u)
                }
            }.joined() + "\""
        }
        for _ in 0..<3_000 {
            let length = Int(generator.next() % 40)
            // Mostly plain letters, so a special character lands in every lane of the scan.
            let text = (0..<length).map { _ in generator.next() % 4 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : "x" }.joined()
            #expect(JSONValue.string(text).compact() == reference(text), "\(Array(text.utf8))")
        }
    }
}
