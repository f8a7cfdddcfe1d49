import FinRec
import Foundation
import Testing

@Suite("CSV field escaping")
struct CSVFieldTests {
    @Test("Fields with a comma, quote or line break are quoted, CRLF included; others are left alone")
    func escaping() {
        #expect(CSVField.escape("济南华泰") == "济南华泰")
        #expect(CSVField.escape("a,b") == "\"a,b\"")
        #expect(CSVField.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.escape("a\nb") == "\"a\nb\"")
        // "\r\n" is one Character in Swift: a Character-wise check misses it.
        #expect(CSVField.escape("a\r\nb") == "\"a\r\nb\"")
        #expect(CSVField.escape("") == "")
    }

    @Test("The line writer quotes a field exactly when a comma, quote or line break falls anywhere in it, wherever it falls in the eight-byte scan, whole or joined from parts")
    func writerQuotesWhereverTheByteFalls() {
        // The reference: a field is quoted when any Unicode scalar is one of the four, and its
        // quotes are doubled.
        func reference(_ field: String) -> String {
            guard field.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var fields: [String] = []
        for length in 0...19 {
            for special in [",", "\"", "\n", "\r", "，", "é", "\t", "-"] {
                for position in 0..<max(length, 1) {
                    var scalars = Array(repeating: "专", count: length).enumerated().map { $0.offset % 3 == 0 ? "a" : $0.element }
                    if length > 0 { scalars[position] = special }
                    fields.append(scalars.joined())
                }
            }
        }
        var writer = CSVLineWriter()
        for field in fields { writer.field(field) }
        writer.endLine()
        for field in fields { writer.field(joining: [field, field], separator: "; ") }
        writer.endLine()
        let expected = fields.map(reference).joined(separator: ",") + "\n" + fields.map { reference($0 + "; " + $0) }.joined(separator: ",") + "\n"
        #expect(String(decoding: writer.finish(), as: UTF8.self) == expected)
        #expect(fields.count > 1_000)
    }
}
