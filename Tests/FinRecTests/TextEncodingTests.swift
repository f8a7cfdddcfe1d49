import FinRec
import Foundation
import Testing

/// Files as Chinese banks' machines write them: GB18030/GBK from Excel's CSV on Chinese Windows,
/// UTF-8 with a byte-order mark, UTF-16 "Unicode text" (tab-separated). The encoded bytes are
/// written out by hand from Python's `gb18030` codec and from Swift's own UTF-16 code units, not
/// by the converter under test.
@Suite("Input encodings")
struct TextEncodingTests {
    let csv = EnterpriseCSV()

    /// 济南华泰科技有限公司 in GB18030 (two bytes a character; Python: "济南华泰科技有限公司".encode("gb18030")).
    static let companyGB: [UInt8] = [0xBC, 0xC3, 0xC4, 0xCF, 0xBB, 0xAA, 0xCC, 0xA9, 0xBF, 0xC6, 0xBC, 0xBC, 0xD3, 0xD0, 0xCF, 0xDE,
                                     0xB9, 0xAB, 0xCB, 0xBE]
    static let company = "济南华泰科技有限公司"
    /// 😀 (U+1F600) in GB18030: one of its four-byte sequences.
    static let smileGB: [UInt8] = [0x94, 0x39, 0xFC, 0x36]

    /// The enterprise CSV of `names` (one row each), as bytes with each name's bytes spliced in.
    func file(names: [[UInt8]]) -> [UInt8] {
        let rows = names.indices.map { EnterpriseCSV.row($0 % EnterpriseCSV.validIds.count, name: "@NAME@") }
        let text = csv.text(rows)
        var out: [UInt8] = []
        var parts = text.components(separatedBy: "@NAME@").map { Array($0.utf8) }
        out += parts.removeFirst()
        for (name, part) in zip(names, parts) { out += name + part }
        return out
    }

    func read(_ bytes: [UInt8], name: String = "in.csv") throws -> (names: [String?], report: ReadReport) {
        let reader = try EnterpriseFileReader(path: writeTemporary(bytes, name: name).path,
                                              options: { var o = ReaderOptions(); o.detectDuplicateIds = false; return o }())
        var names: [String?] = []
        while let chunk = try reader.nextChunk() { names += chunk.names }
        return (names, try reader.finish())
    }

    @Test("A GB18030 CSV reads as its UTF-8 twin and says it was read as GB18030")
    func gb18030File() throws {
        let utf8 = try read(file(names: [Array(Self.company.utf8), Array("😀工作室".utf8)]))
        let gb = try read(file(names: [Self.companyGB, Self.smileGB + [0xB9, 0xA4, 0xD7, 0xF7, 0xCA, 0xD2]]))  // 工作室
        #expect(utf8.report.encoding == .utf8)
        #expect(gb.report.encoding == .gb18030)
        #expect(gb.names == [Self.company, "😀工作室"])
        #expect(gb.names == utf8.names)
        #expect(TextEncoding.gb18030.readNote?.hasPrefix("按 GB18030 读取") == true)
        #expect(TextEncoding.utf8.readNote == nil)
    }

    @Test("A GB18030 file with a cell that is neither GB18030 nor UTF-8 is refused at that cell's line and column")
    func neitherEncoding() throws {
        // Row 2 (line 3) has 0xFF, which starts no GB18030 sequence, in its name (column 2).
        let bytes = file(names: [Self.companyGB, [0xC9, 0xBD, 0xFF, 0x41]])
        do {
            _ = try read(bytes)
            Issue.record("a cell that is neither encoding must be refused")
        } catch let error as InputFileError {
            #expect(error.line == 3)
            #expect(error.column == 2)
            #expect(error.message.contains("neither UTF-8 nor GB18030"), "\(error.message)")
        }
    }

    @Test("A file whose start is UTF-8 stays UTF-8: a later GBK cell is refused, not reinterpreted")
    func utf8StartDecides() throws {
        do {
            _ = try read(file(names: [Array(Self.company.utf8), Self.companyGB]))
            Issue.record("a GBK cell in a UTF-8 file must be refused")
        } catch let error as InputFileError {
            #expect(error.line == 3 && error.column == 2)
        }
    }

    @Test("A UTF-8 byte-order mark is skipped (CSV and JSON)")
    func byteOrderMark() throws {
        let plain = file(names: [Array(Self.company.utf8)])
        let marked = try read([0xEF, 0xBB, 0xBF] + plain)
        #expect(marked.report.encoding == .utf8 && marked.names == [Self.company])
        let json = try read([0xEF, 0xBB, 0xBF] + Array("{\"enterprise_id\": \"\(EnterpriseCSV.validIds[0])\", \"name\": \"\(Self.company)\"}".utf8), name: "in.json")
        #expect(json.names == [Self.company])
    }

    @Test("GB18030 JSON reads too")
    func gb18030JSON() throws {
        let json = Array("[{\"enterprise_id\": \"\(EnterpriseCSV.validIds[0])\", \"name\": \"".utf8) + Self.companyGB + Array("\"}]".utf8)
        let read = try read(json, name: "in.json")
        #expect(read.names == [Self.company] && read.report.encoding == .gb18030)
    }

    /// Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, a cell with a tab,
    /// a quote or a line break quoted.
    static func unicodeText(_ text: String, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 { out += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        return out
    }

    @Test("UTF-16 tab-separated text (Excel's Unicode text) reads as the CSV it stands for", arguments: [false, true])
    func unicodeText(bigEndian: Bool) throws {
        // Names with a comma, a quote, and a quoted tab: all must survive the tabs-to-commas step.
        let names = ["济南华泰科技有限公司", "青岛海, 科技", "潍坊\"精工\"", "烟台\t数控"]
        let rows = names.enumerated().map { i, n in
            EnterpriseCSV.row(i, name: n.contains("\t") || n.contains("\"") ? "\"" + n.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : n)
        }
        let tsv = ([csv.columns] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\r\n") + "\r\n"
        let read = try read(Self.unicodeText(tsv, bigEndian: bigEndian), name: "in.txt")
        #expect(read.names == names)
        #expect(read.report.encoding == (bigEndian ? .utf16BigEndian : .utf16LittleEndian))
        #expect(read.report.rowsAccepted == 4)
    }

    @Test("UTF-16 errors name the line and column of the tab-separated file")
    func unicodeTextErrorPlace() throws {
        let tsv = ([csv.columns, EnterpriseCSV.row(0), EnterpriseCSV.row(1, revenue: "12万x")]).map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
        do {
            _ = try read(Self.unicodeText(tsv, bigEndian: false), name: "in.txt")
            Issue.record("a bad number must be refused")
        } catch let error as InputFileError {
            #expect(error.line == 3 && error.column == 3, "\(error)")
        }
    }

    @Test("The converter gives the same text whichever byte a block ends at")
    func blockBoundaries() throws {
        let gb = Self.companyGB + Array(",a\n".utf8) + Self.smileGB + Self.companyGB
        let expected = Array((Self.company + ",a\n😀" + Self.company).utf8)
        for cut in 0...gb.count {
            let converter = Transcoder(.gb18030, csv: true)
            var out: [UInt8] = []
            gb.withUnsafeBufferPointer { b in
                converter.convert(UnsafeBufferPointer(rebasing: b[..<cut]), final: false, into: &out)
                converter.convert(UnsafeBufferPointer(rebasing: b[cut...]), final: true, into: &out)
            }
            #expect(out == expected, "cut at byte \(cut)")
        }
        let tsv = Self.unicodeText("a\tb\n\"x\ty\"\t青岛, 海\n", bigEndian: false).dropFirst(2)
        let csvExpected = Array("a,b\n\"x\ty\",\"青岛, 海\"\n".utf8)
        for cut in stride(from: 0, through: tsv.count, by: 1) {
            let converter = Transcoder(.utf16LittleEndian, csv: true)
            var out: [UInt8] = []
            Array(tsv).withUnsafeBufferPointer { b in
                converter.convert(UnsafeBufferPointer(rebasing: b[..<cut]), final: false, into: &out)
                converter.convert(UnsafeBufferPointer(rebasing: b[cut...]), final: true, into: &out)
            }
            #expect(out == csvExpected, "cut at byte \(cut)")
        }
    }

    @Test("A GB18030 file larger than one read block reads whole")
    func largeFile() throws {
        // About 6 MB: the reader's 4 MiB first block ends inside the data, and later reads follow.
        let count = 60_000
        let names = (0..<count).map { i in Array(String(i).utf8) + Self.companyGB }
        let read = try read(file(names: names))
        #expect(read.report.encoding == .gb18030)
        #expect(read.names.count == count)
        #expect(read.names.enumerated().allSatisfy { $1 == String($0) + Self.company })
    }

    @Test("Excel workbooks given as CSV are refused with what to do")
    func workbooks() throws {
        for (magic, expected) in [([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] as [UInt8], "old Excel .xls"), ([0x50, 0x4B, 0x03, 0x04], "ZIP file")] {
            do {
                _ = try read(magic + Array(repeating: 0x41, count: 100), name: "pool.csv")
                Issue.record("a workbook must be refused")
            } catch let error as InputFileError {
                #expect(error.message.contains(expected) && error.message.contains("CSV UTF-8"), "\(error.message)")
            }
        }
    }

    @Test("An upload in GB18030 is scored and the document says how it was read")
    func uploadDocument() throws {
        let model = try ScoringModel(path: repositoryRoot() + "/Models/default-model.json", asOf: "2026-06-30")
        let bytes = file(names: [Self.companyGB])
        let document = try ScoreUseCase.assess(try EnterpriseFileReader(bytes: bytes, name: "upload"), model: model, options: ScoreOptions())
        #expect(document.inputEncoding == .gb18030)
        let report = document.report()
        #expect(report.inputEncoding == "GB18030")
        #expect(report.enterprises.first?.name == Self.company)
        let json = document.jsonValue().compact()
        #expect(json.contains("\"input_encoding\":\"GB18030\""))
        #expect(try ScoreReport(json: Array(json.utf8)).inputEncodingNote?.hasPrefix("按 GB18030 读取") == true)
        // A UTF-8 input's document has no such field (documents stay as they were).
        let utf8 = try ScoreUseCase.assess(try EnterpriseFileReader(bytes: file(names: [Array(Self.company.utf8)]), name: "upload"),
                                           model: model, options: ScoreOptions())
        #expect(!utf8.jsonValue().compact().contains("input_encoding"))
    }
}
