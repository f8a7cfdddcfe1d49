import ArgumentParser
import FinRec
@testable import FinRecCLI
@testable import FinRecServer
import Foundation
import Testing

@Suite("Excel: .xlsx outputs read by openpyxl, CSV for Excel, workbooks read back")
struct ExcelTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var model: String { root + "/Models/default-model.json" }

    func read(_ workbook: String) throws -> [[String: Any]] {
        try runPythonJSON(root: root, script: "Tests/Excel/read_xlsx.py", [workbook])["sheets"] as? [[String: Any]] ?? []
    }

    @Test("finrec score --format xlsx: Chinese headers, numbers as numbers equal to the JSON document's, frozen filtered header")
    func scoreWorkbook() throws {
        let dir = try ScoreRankCommandTests.folder()
        let applicants = try FileManager.default.contentsOfDirectory(atPath: root + "/Datasets/applicants").sorted().filter { $0.hasSuffix(".json") }
        let array = "[" + (try applicants.map { try String(contentsOfFile: root + "/Datasets/applicants/" + $0, encoding: .utf8) }).joined(separator: ",") + "]"
        let input = dir + "/all.json", book = dir + "/scores.xlsx"
        try array.write(toFile: input, atomically: true, encoding: .utf8)
        try Score.parse([input, "--format", "xlsx", "--output", book, "--model", model]).run()
        let document = try JSONValue.parse(try Score.parse([input, "--format", "json", "--model", model]).render())

        let sheets = try read(book)
        #expect(sheets.map { $0["name"] as? String ?? "" } == ["评分结果", "关键指标", "补充资料"])
        let offers = sheets[0]["rows"] as? [[Any]] ?? []
        let types = sheets[0]["types"] as? [[String]] ?? []
        let header = offers.first?.compactMap { $0 as? String } ?? []
        #expect(header.prefix(9) == ["统一社会信用代码", "企业名称", "类别", "排名", "产品/板块代码", "产品/板块", "英文名称", "状态", "适配概率"])
        #expect(sheets[0]["frozen"] as? String == "A2" && (sheets[0]["filter"] as? String)?.hasPrefix("A1:") == true)
        let expected = (document["enterprises"]?.array ?? []).flatMap { e in (e["offers"]?.array ?? []).map { (e, $0) } }
        #expect(offers.count == expected.count + 1)
        for (i, (e, o)) in expected.enumerated() {
            let row = offers[i + 1], kinds = types[i + 1]
            #expect(row[0] as? String == e["enterprise_id"]?.string && row[4] as? String == o["id"]?.string)
            #expect(row[5] as? String == o["name_zh"]?.string, "offers named in Chinese")
            #expect(kinds[3] == "int", "rank is a number")
            if let p = o["probability"]?.number {
                #expect(kinds[8] == "float" && abs((row[8] as? Double ?? -1) - p) < 1e-12, "probability stays a number: \(row[8])")
                #expect(abs((row[12] as? Double ?? -1) - (o["points"]?.number ?? 0)) < 1e-9)
            } else {
                #expect(kinds[8] == "NoneType", "no probability: an empty cell, not text")
            }
        }
        let figures = sheets[1]["rows"] as? [[Any]] ?? []
        #expect(figures.count == 1 + (document["enterprises"]?.array ?? []).reduce(0) { $0 + ($1["key_figures"]?.array?.count ?? 0) })
        let supplements = sheets[2]["rows"] as? [[Any]] ?? []
        #expect(supplements.count == 1 + (document["enterprises"]?.array ?? []).reduce(0) { $0 + ($1["supplements"]?.array?.count ?? 0) })
        #expect(supplements.count > 1, "the applicant with missing fields has 补充资料")
    }

    @Test("finrec rank --output x.xlsx holds the CSV's rows under Chinese headers; --excel CSVs start with a byte-order mark")
    func rankWorkbookAndExcelCSV() throws {
        let dir = try ScoreRankCommandTests.folder()
        let input = try ReproducibilityTests.poolHead(rows: 400, folder: dir)
        let csv = dir + "/top.csv", book = dir + "/top.xlsx", best = dir + "/best.csv"
        try Rank.parse(["--input", input, "--model", model, "--top", "10", "--output", csv, "--quiet", "--excel", "--best", best]).run()
        try Rank.parse(["--input", input, "--model", model, "--top", "10", "--output", book, "--quiet"]).run()
        let csvBytes = try Array(Data(contentsOf: URL(fileURLWithPath: csv)))
        #expect(csvBytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: best))).starts(with: [0xEF, 0xBB, 0xBF]))
        let rows = CSVText.rows(String(decoding: csvBytes.dropFirst(3), as: UTF8.self))
        let sheet = try read(book)[0]
        let cells = sheet["rows"] as? [[Any]] ?? []
        #expect(sheet["name"] as? String == "排名")
        #expect((cells.first?[1] as? String) == "产品/板块" && (cells.first?[9] as? String) == "适配概率")
        #expect(cells.count == rows.count)
        for (r, row) in rows.enumerated().dropFirst() {
            #expect(cells[r][6] as? String == row[6], "enterprise id")
            #expect(cells[r][5] as? Int == Int(row[5]), "rank as a number")
            if let p = Double(row[9]) { #expect(abs((cells[r][9] as? Double ?? -1) - p) < 1e-15) }
        }
        // Score's streamed CSV for Excel.
        let scored = dir + "/scored.csv"
        try Score.parse([input, "--format", "csv", "--output", scored, "--model", model, "--excel", "--chunk-rows", "100"]).run()
        let scoredBytes = try Array(Data(contentsOf: URL(fileURLWithPath: scored)))
        #expect(scoredBytes.starts(with: [0xEF, 0xBB, 0xBF] + Array(ScoreDocument.csvHeader.utf8)))
        #expect(!scoredBytes.dropFirst(3).starts(with: [0xEF, 0xBB, 0xBF]), "one mark only")
    }

    @Test("A workbook FinRec writes reads back as CSV: text, numbers (16 significant digits), dates from serials, header first")
    func workbookRoundTrip() throws {
        var sheet = XLSXWorkbook.Sheet(name: "申请", header: ["enterprise_id", "name", "revenue_y1", "certification_valid_until", "note"])
        sheet.rows = [[.text("91370100MA3C5YQ12D"), .text("济南\"华泰\", 有限公司 <&>"), .number(1234.5678), .number(45_658), .empty],
                      [.text("x"), .empty, .percent(0.125), .text("2027-06-30"), .text("two\nlines")]]
        let bytes = try XLSXWorkbook(sheets: [sheet]).bytes()
        let csv = try XLSXReader.csv(bytes, name: "book.xlsx") { $0 == "certification_valid_until" }
        #expect(CSVText.rows(String(decoding: csv, as: UTF8.self)) == [
            ["enterprise_id", "name", "revenue_y1", "certification_valid_until", "note"],
            ["91370100MA3C5YQ12D", "济南\"华泰\", 有限公司 <&>", "1234.5678", "2025-01-01", ""],
            ["x", "", "0.125", "2027-06-30", "two\nlines"],
        ])
        // libxlsxwriter writes 16 significant digits: 0.1 + 0.2 comes back within one part in 10^15.
        var precise = XLSXWorkbook.Sheet(name: "x", header: ["v"])
        precise.rows = [[.number(0.1 + 0.2)], [.number(2.0 / 3.0)]]
        let values = CSVText.rows(String(decoding: try XLSXReader.csv(try XLSXWorkbook(sheets: [precise]).bytes(), name: "p.xlsx") { _ in false }, as: UTF8.self))
        #expect(abs((Double(values[1][0]) ?? 0) - 0.3) < 1e-15 && abs((Double(values[2][0]) ?? 0) - 2.0 / 3.0) < 1e-15)
        // Not a workbook: a clear error naming the upload.
        #expect(throws: InputFileError.self) { try XLSXReader.csv(Array("enterprise_id\n1\n".utf8), name: "upload.xlsx") { _ in false } }
        do {
            _ = try XLSXReader.csv(Array(repeating: 7, count: 100), name: "upload.xlsx") { _ in false }
        } catch {
            #expect(error.description.contains("upload.xlsx") && error.description.contains("not an Excel .xlsx workbook"))
        }
    }

    @Test("The page's multipart parser takes a browser's form and refuses broken ones")
    func multipart() throws {
        let body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nen\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\申请.csv\"\r\nContent-Type: text/csv\r\n\r\nenterprise_id\r\n--XY\r\n\r\n--XyZ--\r\n".utf8)
        let parts = try FormData.multipart(body, contentType: "multipart/form-data; boundary=XyZ")
        #expect(parts.map(\.name) == ["lang", "file"])
        #expect(String(decoding: parts[1].body, as: UTF8.self) == "enterprise_id\r\n--XY\r\n", "a line like the boundary inside a file is content")
        #expect(FormData.displayName(parts[1].filename ?? "") == "申请.csv", "only the file's own name is shown, never a path")
        #expect(throws: ServiceError.self) { try FormData.multipart(body, contentType: "multipart/form-data") }
        #expect(throws: ServiceError.self) { try FormData.multipart(Array("--XyZ\r\nno blank line".utf8) + Array("\r\n--XyZ--".utf8), contentType: "multipart/form-data; boundary=XyZ") }
        #expect(try FormData.urlencoded(Array("name=%E6%B5%8E%E5%8D%97+a&x=".utf8)) == ["name": "济南 a", "x": ""])
        #expect(throws: ServiceError.self) { try FormData.urlencoded(Array("a=1&a=2".utf8)) }
    }
}

@Suite("finrec serve's small parts: audit timestamps, token files")
struct ServicePartsTests {
    @Test("Audit timestamps are Foundation's ISO 8601 with milliseconds, and sort as text")
    func timestamps() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var previous = ""
        for seconds in [0.0, 0.001, 59.999, 86_399.5, 951_782_400.25, 1_796_036_756.036, 4_102_444_799.999] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(AuditEntry.timestamp(date) == formatter.string(from: date), "\(seconds)")
            #expect(AuditEntry.timestamp(date) > previous)
            previous = AuditEntry.timestamp(date)
        }
    }

    @Test("A token file names the line that is wrong; tokens are looked up by their hash only; a line's roles, and those of a line from before roles")
    func tokenFiles() throws {
        let dir = try ScoreRankCommandTests.folder()
        let path = dir + "/tokens"
        let hash = TokenFile.hash("secret-token")
        try "# clients\nloan-system \(hash)\nboss \(TokenFile.hash("b")) supervisor\nops \(TokenFile.hash("o")) admin,officer\n\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let file = try TokenFile.read(path: path)
        #expect(file.client(presenting: "secret-token") == Client(name: "loan-system", roles: [.officer, .admin]), "a line without roles keeps what tokens could do before")
        #expect(file.client(presenting: "b") == Client(name: "boss", roles: [.supervisor]))
        #expect(file.client(presenting: "o") == Client(name: "ops", roles: [.admin, .officer]))
        #expect(file.client(presenting: "secret-token ") == nil && file.client(presenting: hash) == nil, "the hash itself is not a token")
        for (text, line) in [("loan-system \(hash)\nbad line\n", 2), ("a \(hash.uppercased())\n", 1), ("a \(hash)\na \(TokenFile.hash("x"))\n", 2),
                             ("a \(hash) officer\nb \(TokenFile.hash("x")) auditor\n", 2), ("a \(hash) officer,\n", 1)] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect { try TokenFile.read(path: path) } throws: { ($0 as? InputFileError)?.line == line }
        }
        try "# nobody\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try TokenFile.read(path: path) } throws: { "\($0)".contains("finrec token") }
        #expect(Set((0..<100).map { _ in TokenFile.newToken() }).count == 100)
    }
}
