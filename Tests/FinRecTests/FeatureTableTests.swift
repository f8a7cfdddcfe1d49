import FinRec
import Testing

@Suite("CSV tokenizer and feature tables")
struct FeatureTableTests {
    func records(_ text: String) throws -> [[String]] {
        var t = CSVTokenizer(bytes: Array(text.utf8))
        var out: [[String]] = []
        while let r = try t.next() { out.append(r.fields) }
        return out
    }

    @Test("RFC 4180: quotes, doubled quotes, embedded commas and newlines, CRLF, BOM")
    func rfc4180() throws {
        let text = "\u{FEFF}id,name\r\n1,\"a, \"\"b\"\"\"\r\n2,\"line1\nline2\"\n3,\n"
        #expect(try records(text) == [["id", "name"], ["1", "a, \"b\""], ["2", "line1\nline2"], ["3", ""]])
    }

    @Test("Records know the line they start on, across embedded newlines")
    func lineNumbers() throws {
        var t = CSVTokenizer(bytes: Array("h\n\"x\ny\"\n\nz\n".utf8))
        var lines: [Int] = []
        while let r = try t.next() { lines.append(r.line) }
        #expect(lines == [1, 2, 5])
    }

    @Test("Syntax errors name the line and column", arguments: [
        ("a,b\n1,\"open\n", 2, 2, "never closed"),
        ("a,b\n1,x\"y\n", 2, 2, "quote inside an unquoted field"),
        ("a,b\n\"x\"y,1\n", 2, 1, "after the closing quote"),
    ])
    func syntaxErrors(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try records(text)
            Issue.record("expected an error")
        } catch let error as CSVTokenizer.SyntaxError {
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(error.message.contains(message))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("GBK bytes are refused with the iconv command, not read as garbage")
    func gbkRefused() throws {
        // "研发" in GBK: D1 D0 B7 A2.
        let bytes = Array("id,x\n".utf8) + [0xD1, 0xD0, 0xB7, 0xA2] + Array(",1\n".utf8)
        var t = CSVTokenizer(bytes: bytes)
        _ = try t.next()
        #expect(throws: CSVTokenizer.SyntaxError.self) { _ = try t.next() }
        do { _ = try t.next() } catch { #expect(error.message.contains("iconv -f GB18030")) }
    }

    @Test("Feature columns are read in the model's order, whatever the file's order")
    func columnOrder() throws {
        let table = try FeatureTable.parse(Array("b,id,a,extra\n2,e1,1,z\n4.5,e2,-3e2,z\n".utf8),
                                           path: "f.csv", featureNames: ["a", "b"])
        #expect(table.ids == ["e1", "e2"])
        #expect(table.rows.storage == [1, 2, -300, 4.5])
        #expect(table.ignoredColumns == ["extra"])
    }

    @Test("Bad cells are refused with file, line, column and field", arguments: [
        ("a,b\n1,\n", "f.csv:2:2 (b): the value is empty"),
        ("a,b\n1,1,234\n", "f.csv:2: the row has 3 fields but the header has 2"),
        ("a,b\n1,1e309\n", "f.csv:2:2 (b): \"1e309\" is not a finite decimal number"),
        ("a,b\n1,NaN\n", "f.csv:2:2 (b): \"NaN\" is not a finite decimal number"),
        ("a,b\n1,5万\n", "f.csv:2:2 (b): \"5万\" is not a finite decimal number"),
        ("a\n1\n", "f.csv:1 (b): the header has no column \"b\""),
        ("a,b,a\n1,2,3\n", "f.csv:1:3 (a): the column \"a\" appears twice"),
        ("", "f.csv: the file is empty"),
    ])
    func badCells(text: String, expected: String) {
        do {
            _ = try FeatureTable.parse(Array(text.utf8), path: "f.csv", featureNames: ["a", "b"])
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }
}
