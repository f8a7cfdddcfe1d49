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
}
