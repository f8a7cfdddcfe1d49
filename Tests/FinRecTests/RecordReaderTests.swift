import FinRec
import Foundation
import Testing

/// A minimal valid enterprise CSV header and row builder for reader tests.
struct EnterpriseCSV {
    var columns = ["enterprise_id", "name", "revenue_y1", "rd_expense_y1", "employees", "rd_staff",
                   "certification_tier", "niche_market_share", "founding_year", "fiscal_year", "certification_valid_until"]

    static let validIds = ["91370100MA3C5YQ12D", CreditCode.complete("91370200MA3D7UJ45")!,
                           CreditCode.complete("91370600MA3F2KL78")!, CreditCode.complete("91371000MA3G8NP03")!]

    func text(_ rows: [[String]], lineEnding: String = "\n") -> String {
        ([columns.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: lineEnding) + lineEnding
    }

    static func row(_ id: Int = 0, name: String = "济南华泰科技有限公司", revenue: String = "12000", rd: String = "600",
                    employees: String = "120", staff: String = "20", tier: String = "provincial_srdi", share: String = "0.12",
                    founded: String = "2012", fiscal: String = "2025", until: String = "2027-12-31") -> [String] {
        [validIds[id], name, revenue, rd, employees, staff, tier, share, founded, fiscal, until]
    }
}

func writeTemporary(_ text: String, name: String = "in.csv") -> (folder: String, path: String) {
    writeTemporary(Array(text.utf8), name: name)
}

func writeTemporary(_ bytes: [UInt8], name: String = "in.csv") -> (folder: String, path: String) {
    let folder = temporaryFolder()
    let path = folder + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return (folder, path)
}

@Suite("Enterprise CSV reader")
struct RecordReaderTests {
    let csv = EnterpriseCSV()

    func readAll(_ text: String, options: ReaderOptions = ReaderOptions()) throws -> ([RecordChunk], ReadReport) {
        let path = writeTemporary(text).path
        let reader = try CSVRecordReader(path: path, schema: EnterpriseSchema.schema, options: options)
        let chunks = try reader.readAll()
        return (chunks, try reader.finish())
    }

    func error(_ text: String) -> InputFileError? {
        do {
            _ = try readAll(text)
            return nil
        } catch let e as InputFileError {
            return e
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("Values land in typed columns; empty cells are missing, not zero")
    func typedColumns() throws {
        let (chunks, report) = try readAll(csv.text([EnterpriseCSV.row(0), EnterpriseCSV.row(1, revenue: "", share: "12%", until: "2027/6/30")]))
        let chunk = try #require(chunks.first)
        #expect(chunk.rowCount == 2 && report.rowsAccepted == 2)
        let revenue = chunk.numeric("revenue_y1")
        #expect(revenue[0] == 12000 && revenue[1] == nil)
        #expect(chunk.numeric("niche_market_share")[1].map { abs($0 - 0.12) < 1e-15 } == true)
        #expect(chunk.numeric("certification_tier")[0] == 2)  // index of provincial_srdi
        #expect(chunk.numeric("certification_valid_until")[1] == Double(CivilDate(year: 2027, month: 6, day: 30)!.daysSinceEpoch))
        #expect(chunk.text("name")[0] == "济南华泰科技有限公司")
        #expect(chunk.ids == [EnterpriseCSV.validIds[0], EnterpriseCSV.validIds[1]])
        #expect(report.absentFields.contains("revenue_y2"))
        #expect(chunk.numeric("revenue_y2").missing == [true, true])
    }

    @Test("RFC 4180 quoting, embedded commas and line breaks, CRLF and a byte-order mark")
    func rfc4180() throws {
        let name = "\"济南\"\"华泰\"\",\n科技\""
        let text = "\u{FEFF}" + csv.text([EnterpriseCSV.row(0, name: name), EnterpriseCSV.row(1)], lineEnding: "\r\n")
        let (chunks, _) = try readAll(text)
        let chunk = try #require(chunks.first)
        #expect(chunk.text("name")[0] == "济南\"华泰\",\n科技")
        #expect(chunk.lines == [2, 4])
        #expect(chunk.numeric("revenue_y1")[1] == 12000)
    }

    @Test("Chinese headers and aliases read the same fields as English names")
    func headerAliases() throws {
        var chinese = csv
        chinese.columns = ["统一社会信用代码", "企业名称", "营业收入（最近一年）", "研发费用", " 职工人数 ", "研发人员数",
                           "资质等级", "细分市场占有率", "成立年份", "最近会计年度", "资质有效期至"]
        let row = EnterpriseCSV.row(0, tier: "省级专精特新")
        let (a, _) = try readAll(csv.text([EnterpriseCSV.row(0)]))
        let (b, _) = try readAll(chinese.text([row]))
        for name in ["revenue_y1", "rd_expense_y1", "employees", "certification_tier"] {
            #expect(a[0].numeric(name) == b[0].numeric(name), "\(name)")
        }
        var halfWidth = csv
        halfWidth.columns[2] = "营业收入(最近一年)"
        #expect(try readAll(halfWidth.text([EnterpriseCSV.row(0)])).0[0].numeric("revenue_y1")[0] == 12000)
    }

    @Test("Unknown columns are kept as text and reported once")
    func unknownColumns() throws {
        var extra = csv
        extra.columns.append("客户经理")
        let (chunks, report) = try readAll(extra.text([EnterpriseCSV.row(0) + ["王明"], EnterpriseCSV.row(1) + [""]]))
        #expect(report.unknownColumns == ["客户经理"])
        #expect(chunks[0].extraNames == ["客户经理"])
        #expect(chunks[0].extra(0).values == ["王明", nil])
    }

    @Test("Chunks are bounded and carry every row once, whatever the chunk size", arguments: [1, 7, 1000, 32_768])
    func chunking(chunkRows: Int) throws {
        let generator = SyntheticDataset(generator: EnterpriseGenerator(seed: 5), withTruth: false)
        let path = temporaryFolder() + "/pool.csv"
        try generator.write(count: 3_000, to: path, threads: .singleThreaded)
        var options = ReaderOptions()
        options.chunkRows = chunkRows
        let reader = try CSVRecordReader(path: path, schema: EnterpriseSchema.schema, options: options)
        var ids: [String] = []
        var revenue = 0.0
        while let chunk = try reader.nextChunk() {
            #expect(chunk.rowCount <= chunkRows)
            ids += chunk.ids
            revenue += chunk.numeric("revenue_y1").values.reduce(0, +)
        }
        #expect(ids.count == 3_000 && Set(ids).count == 3_000)
        #expect(ids.first == EnterpriseGenerator(seed: 5).firm(0).id)
        #expect(try reader.finish().rowsAccepted == 3_000)
        // Independent check of the sum: Foundation's CSV-free split works here because the
        // generated names contain no commas or quotes.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let column = try #require(lines[0].split(separator: ",").firstIndex(of: "revenue_y1"))
        let expected = lines.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[column])! }.reduce(0, +)
        #expect(abs(revenue - expected) <= 1e-9 * expected)
    }

    @Test("Bad cells stop the read with file, line, column, field and the expected form", arguments: [
        (EnterpriseCSV.row(1, revenue: "\"1,234.5\""), ":3:3 (revenue_y1): \"1,234.5\" is not a number (remove the thousands separators)"),
        (EnterpriseCSV.row(1, revenue: "5万"), ":3:3 (revenue_y1): \"5万\" is not a number (give the amount in 万元"),
        (EnterpriseCSV.row(1, revenue: "—"), ":3:3 (revenue_y1): \"—\" is not a number (leave the cell empty for a missing value)"),
        (EnterpriseCSV.row(1, revenue: "NaN"), ":3:3 (revenue_y1): \"NaN\" is not a number"),
        (EnterpriseCSV.row(1, revenue: "1e309"), ":3:3 (revenue_y1): \"1e309\" is not a number"),
        (EnterpriseCSV.row(1, revenue: "-50"), ":3:3 (revenue_y1): \"-50\" is outside the allowed range"),
        (EnterpriseCSV.row(1, employees: "12.5"), ":3:5 (employees): \"12.5\" is not a whole number"),
        (EnterpriseCSV.row(1, tier: "金牌"), ":3:7 (certification_tier): \"金牌\" is not a known value"),
        (EnterpriseCSV.row(1, share: "1.5"), ":3:8 (niche_market_share): \"1.5\" is outside the allowed range"),
        (EnterpriseCSV.row(1, share: "150%"), ":3:8 (niche_market_share): \"150%\" is outside the allowed range"),
        (EnterpriseCSV.row(1, until: "2027-02-30"), ":3:11 (certification_valid_until): \"2027-02-30\" is not a date"),
        (EnterpriseCSV.row(1, until: "2027-06-30-1"), ":3:11 (certification_valid_until): \"2027-06-30-1\" is not a date"),
        (EnterpriseCSV.row(1, until: "2027/06-30"), ":3:11 (certification_valid_until): \"2027/06-30\" is not a date"),
        (EnterpriseCSV.row(1, until: "2027--30"), ":3:11 (certification_valid_until): \"2027--30\" is not a date"),
        (EnterpriseCSV.row(1, until: "2027-06"), ":3:11 (certification_valid_until): \"2027-06\" is not a date"),
        (EnterpriseCSV.row(1, founded: "2030"), ":3:9 (founding_year): founding year 2030 is after the fiscal year 2025"),
        (EnterpriseCSV.row(1, employees: "10", staff: "20"), ":3:6 (rd_staff): R&D staff 20 exceeds employees 10"),
        (EnterpriseCSV.row(0), ":3:1 (enterprise_id): the id 91370100MA3C5YQ12D appears on an earlier line too"),
        (["91370100MA3C5YQ12X"] + EnterpriseCSV.row(1).dropFirst(), ":3:1 (enterprise_id): \"91370100MA3C5YQ12X\" is not a valid unified social credit code"),
        ([""] + EnterpriseCSV.row(1).dropFirst(), ":3:1 (enterprise_id): enterprise_id (统一社会信用代码) is required but empty"),
        (Array(EnterpriseCSV.row(1).dropLast()), ":3: the row has 10 fields but the header has 11"),
    ])
    func badCells(row: [String], expected: String) throws {
        let text = csv.text([EnterpriseCSV.row(0), row])
        let e = try #require(error(text))
        #expect(e.description.contains(expected), "\(e.description)")
        #expect(e.description.hasPrefix(e.path + ":"))
    }

    @Test("Broken files are refused with what to do", arguments: [
        ("", "the file is empty"),
        ("enterprise_id;name;revenue_y1\n", "one column with semicolons"),
        ("name,revenue_y1\nx,1\n", "no column for enterprise_id (统一社会信用代码), which is required"),
        ("enterprise_id,revenue_y1,营业收入\n", "columns 2 (\"revenue_y1\") and 3 (\"营业收入\") both name revenue_y1"),
        ("enterprise_id,name\n91370100MA3C5YQ12D,\"unclosed\n", ":2:2: a quoted field is never closed"),
        ("enterprise_id,name\n91370100MA3C5YQ12D,a\"b\n", ":2:2: a quote inside an unquoted field"),
        ("enterprise_id,name\n91370100MA3C5YQ12D,a\u{0}b\n", ":2: the file holds a NUL byte"),
    ])
    func brokenFiles(text: String, expected: String) throws {
        let e = try #require(error(text))
        #expect(e.description.contains(expected), "\(e.description)")
    }

    @Test("A GBK header is read as GB18030; a UTF-16 file without its tabs is read as the CSV it is")
    func encodings() throws {
        // "统一社会信用代码" in GBK: the Chinese name of the id column.
        let gbkHeader: [UInt8] = [0xCD, 0xB3, 0xD2, 0xBB, 0xC9, 0xE7, 0xBB, 0xE1, 0xD0, 0xC5, 0xD3, 0xC3, 0xB4, 0xFA, 0xC2, 0xEB]
        let gbk = writeTemporary(gbkHeader + Array(",name\n91370100MA3C5YQ12D,x\n".utf8)).path
        let reader = try CSVRecordReader(path: gbk, schema: EnterpriseSchema.schema)
        #expect(try reader.readAll().first?.ids == ["91370100MA3C5YQ12D"])
        #expect(try reader.finish().encoding == .gb18030)
        // UTF-16 with a byte-order mark and commas (no tab in the header): read as CSV.
        let utf16 = writeTemporary([0xFF, 0xFE] + Array("enterprise_id,name\n91370100MA3C5YQ12D,x\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).path
        let reader16 = try CSVRecordReader(path: utf16, schema: EnterpriseSchema.schema)
        #expect(try reader16.readAll().first?.names == ["x"])
        #expect(try reader16.finish().encoding == .utf16LittleEndian)
    }

    @Test("With skip, bad rows go to the rejects file with their reasons and good rows are kept")
    func skipPolicy() throws {
        let folder = temporaryFolder()
        let rejects = folder + "/rejects.csv"
        var options = ReaderOptions()
        options.policy = .skip(rejectsPath: rejects)
        let rows = [EnterpriseCSV.row(0), EnterpriseCSV.row(1, revenue: "abc"), EnterpriseCSV.row(2), EnterpriseCSV.row(0),
                    EnterpriseCSV.row(3, employees: "1", staff: "9")]
        let (chunks, report) = try readAll(csv.text(rows), options: options)
        #expect(chunks.reduce(0) { $0 + $1.rowCount } == 2)
        #expect(chunks[0].ids == [EnterpriseCSV.validIds[0], EnterpriseCSV.validIds[2]])
        #expect(report.rowsAccepted == 2 && report.rowsRejected == 3)
        let rejectsSchema = Self.textSchema(["line", "column", "field", "reason", "record"])
        var readOptions = ReaderOptions()
        readOptions.detectDuplicateIds = false
        let back = try CSVRecordReader(path: rejects, schema: rejectsSchema, options: readOptions).readAll()[0]
        #expect(back.text("line").values == ["3", "5", "6"])
        #expect(back.text("field")[0] == "revenue_y1" && back.text("reason")[0]!.contains("\"abc\" is not a number"))
        #expect(back.text("record")[0]!.hasPrefix(EnterpriseCSV.validIds[1] + ","))
        #expect(back.text("reason")[1]!.contains("appears on an earlier line"))
        #expect(back.text("field")[2] == "rd_staff")
    }

    @Test("Unknown columns stay aligned with the rows kept when bad rows are skipped")
    func extrasAfterSkip() throws {
        var extra = csv
        extra.columns.append("客户经理")
        var options = ReaderOptions()
        options.policy = .skip(rejectsPath: temporaryFolder() + "/rejects.csv")
        let rows = [EnterpriseCSV.row(0) + ["王明"], EnterpriseCSV.row(1, revenue: "bad") + ["李华"],
                    EnterpriseCSV.row(2) + [""], EnterpriseCSV.row(3) + ["\"张\"\"三\"\"\""]]
        let (chunks, report) = try readAll(extra.text(rows), options: options)
        #expect(report.rowsRejected == 1)
        #expect(chunks[0].ids == [EnterpriseCSV.validIds[0], EnterpriseCSV.validIds[2], EnterpriseCSV.validIds[3]])
        #expect(chunks[0].extra(0).values == ["王明", nil, "张\"三\""])
    }

    @Test("A cell of an unknown column that is not UTF-8 rejects its row, naming the column; the rows kept keep their cells")
    func extraNotUTF8() throws {
        var extra = csv
        extra.columns.append("客户经理")
        let folder = temporaryFolder()
        let text = extra.text([EnterpriseCSV.row(0) + ["王明"], EnterpriseCSV.row(1) + ["@@"], EnterpriseCSV.row(2) + ["x"],
                               EnterpriseCSV.row(3) + [""]])
        // "@@" becomes C3 28: a lead byte without its continuation.
        var bytes = Array(text.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "@"))!
        bytes.replaceSubrange(at..<at + 2, with: [0xC3, 0x28])
        var options = ReaderOptions()
        options.policy = .skip(rejectsPath: folder + "/rejects.csv")
        let reader = try CSVRecordReader(path: writeTemporary(bytes).path, schema: EnterpriseSchema.schema, options: options)
        let chunks = try reader.readAll()
        #expect(try reader.finish().rowsRejected == 1)
        #expect(chunks[0].ids == [EnterpriseCSV.validIds[0], EnterpriseCSV.validIds[2], EnterpriseCSV.validIds[3]])
        #expect(chunks[0].extra(0).values == ["王明", "x", nil])
        var readOptions = ReaderOptions()
        readOptions.detectDuplicateIds = false
        let rejects = try CSVRecordReader(path: folder + "/rejects.csv", schema: Self.textSchema(["line", "column", "field", "reason", "record"]),
                                          options: readOptions).readAll()[0]
        #expect(rejects.text("line").values == ["3"] && rejects.text("field").values == ["客户经理"])
        #expect(rejects.text("reason")[0]!.contains("not UTF-8"))
    }

    @Test("With fail, no rejects file is written")
    func failWritesNothing() throws {
        let (folder, path) = writeTemporary(csv.text([EnterpriseCSV.row(0, revenue: "x")]))
        #expect(throws: InputFileError.self) {
            let reader = try CSVRecordReader(path: path, schema: EnterpriseSchema.schema)
            _ = try reader.readAll()
        }
        #expect(contentsOfFolder(folder) == ["in.csv"])
    }

    /// A schema of text columns with these names (Chinese names 甲, 乙, 丙, …).
    static func textSchema(_ names: [String]) -> RecordSchema {
        RecordSchema(name: "text", fields: zip(names, ["甲", "乙", "丙", "丁", "戊"]).map { FieldSpec($0, $1, .text(maxLength: 10_000), $0) })
    }

    @Test("Random quoted text survives the splitter: fields of every length around its 8-byte steps, across read blocks and chunks")
    func randomQuotedText() throws {
        // Three text columns; values drawn from an alphabet of the bytes the splitter stops at
        // (comma, quote, CR, LF), spaces, ASCII and Chinese, with lengths 0…40 and a few long
        // ones. Encoded by RFC 4180 here, independently of FinRec's writer; about 5 MB, so
        // records straddle the reader's 4 MiB read blocks as well as its chunks.
        let schema = Self.textSchema(["x", "y", "z"])
        var random = SplitMix64(seed: 18)
        let alphabet: [String] = [",", "\"", "\r\n", "\n", "a", "b", "7", "-", "济", "南", "。", " x"]
        func value() -> String {
            let length = random.next() % 50 == 0 ? Int(random.next() % 3000) : Int(random.next() % 41)
            var v = ""
            for _ in 0..<length { v += alphabet[Int(random.next() % UInt64(alphabet.count))] }
            // Cells are trimmed of spaces and an empty cell is missing: keep values that round-trip.
            v = v.trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? "v" : v
        }
        func encode(_ v: String) -> String {
            let plain = !v.contains(",") && !v.contains("\"") && !v.contains("\n") && !v.contains("\r")
            return plain && random.next() % 4 != 0 ? v : "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var rows: [[String]] = []
        var text = "x,y,z\r\n"
        while text.utf8.count < 5_000_000 {
            let row = [value(), value(), value()]
            rows.append(row)
            text += row.map(encode).joined(separator: ",") + (random.next() % 2 == 0 ? "\n" : "\r\n")
        }
        let path = writeTemporary(text).path
        for chunkRows in [997, 32_768] {
            var options = ReaderOptions()
            options.chunkRows = chunkRows
            options.detectDuplicateIds = false
            let chunks = try CSVRecordReader(path: path, schema: schema, options: options).readAll()
            var r = 0, mismatches = 0
            for chunk in chunks {
                let columns = ["x", "y", "z"].map { chunk.text($0).values }
                for i in 0..<chunk.rowCount {
                    if columns.map({ $0[i] ?? "" }) != rows[r] { mismatches += 1 }
                    r += 1
                }
            }
            #expect(r == rows.count, "rows read with chunks of \(chunkRows)")
            #expect(mismatches == 0, "rows changed with chunks of \(chunkRows)")
        }
    }

    @Test("Plain records split by 64-byte bit sets match a byte-by-byte reference: LF, CR LF, lone CR, blank lines, wrong field counts, quotes and NULs at every block offset")
    func plainRecordsAgainstReference() throws {
        // Plain fields of 0…130 bytes, so field ends and line breaks fall at every offset of the
        // splitter's 64-byte blocks; a few records with a quoted field or a lone CR (which the
        // byte-by-byte splitter takes instead), blank lines, and records with a field too many or
        // too few (rejected with their line). The reference splits the same text here, by bytes.
        let schema = Self.textSchema(["a", "b", "c"])
        var random = SplitMix64(seed: 64)
        let letters = Array("abcxyz0123456789济南-./ ".unicodeScalars).map(String.init)
        func plain() -> String {
            let length = random.next() % 10 == 0 ? Int(random.next() % 131) : Int(random.next() % 9)
            var v = (0..<length).map { _ in letters[Int(random.next() % UInt64(letters.count))] }.joined()
            while v.hasPrefix(" ") || v.hasSuffix(" ") { v = v.trimmingCharacters(in: .whitespaces) }
            return v
        }
        var text = "a,b,c\n", line = 2
        var expectedRows: [[String?]] = [], expectedRejects: [Int] = []
        while text.utf8.count < 3_000_000 {
            let roll = random.next() % 100
            // A blank line (not after a lone CR, which would make it a CR LF).
            if roll < 3 && !text.hasSuffix("\r") { text += random.next() % 2 == 0 ? "\n" : "\r\n"; line += 1; continue }
            var fields = (0..<3).map { _ in plain() }
            if roll < 6 { fields.append(plain()) } else if roll < 9 { fields.removeLast() }
            var cells = fields
            if roll >= 9 && roll < 12 {
                // A quoted field with a comma and a doubled quote in it.
                let k = Int(random.next() % 3)
                fields[k] = "q,\"" + fields[k]
                cells[k] = "\"q,\"\"" + cells[k] + "\""
            }
            let ending = roll >= 12 && roll < 14 ? "\r" : random.next() % 3 == 0 ? "\r\n" : "\n"
            text += cells.joined(separator: ",") + ending
            if fields.count == 3 { expectedRows.append(fields.map { $0.isEmpty ? nil : $0 }) } else { expectedRejects.append(line) }
            line += 1
        }
        let (folder, path) = writeTemporary(text)
        for chunkRows in [1_000, 32_768] {
            var options = ReaderOptions()
            options.chunkRows = chunkRows
            options.detectDuplicateIds = false
            options.policy = .skip(rejectsPath: folder + "/rejects-\(chunkRows).csv")
            let reader = try CSVRecordReader(path: path, schema: schema, options: options)
            var rows: [[String?]] = []
            for chunk in try reader.readAll() {
                let columns = ["a", "b", "c"].map { chunk.text($0).values }
                for r in 0..<chunk.rowCount { rows.append(columns.map { $0[r] }) }
            }
            _ = try reader.finish()
            #expect(rows.count == expectedRows.count, "chunks of \(chunkRows)")
            let changed = zip(rows, expectedRows).first { $0 != $1 }
            #expect(changed == nil, "rows changed with chunks of \(chunkRows): first \(String(describing: changed))")
            var readOptions = ReaderOptions()
            readOptions.detectDuplicateIds = false
            let rejectsSchema = Self.textSchema(["line", "column", "field", "reason", "record"])
            let rejected = try CSVRecordReader(path: folder + "/rejects-\(chunkRows).csv", schema: rejectsSchema, options: readOptions).readAll()
            let rejectedLines = rejected.flatMap { $0.text("line").values.map { Int($0!)! } }
            let firstDifference = zip(rejectedLines, expectedRejects).first { $0 != $1 }
            #expect(rejectedLines.count == expectedRejects.count && firstDifference == nil,
                    "rejected lines with chunks of \(chunkRows): \(rejectedLines.count) against \(expectedRejects.count), first difference \(String(describing: firstDifference))")
        }
        // A NUL anywhere in a plain record is refused with its line, wherever it falls in a block.
        for offset in [0, 1, 30, 63, 64, 65, 100] {
            var bytes = Array("a,b,c\n".utf8), nulLine = 0
            var row = 2
            while bytes.count < 4_000 {
                if nulLine == 0 && bytes.count >= 1_000 + offset { nulLine = row; bytes += Array("x\u{0},y,z\n".utf8) }
                else { bytes += Array("\(row),bb,ccc\n".utf8) }
                row += 1
            }
            let nulPath = writeTemporary(bytes, name: "nul\(offset).csv").path
            do {
                _ = try CSVRecordReader(path: nulPath, schema: schema).readAll()
                Issue.record("a NUL byte should be refused")
            } catch {
                #expect(error.line == nulLine && error.message.contains("NUL"), "\(error)")
            }
        }
    }

    @Test("Short decimals parsed eight bytes at a time match strtod and the byte-by-byte parser", arguments: [4, 5] as [UInt64])
    func shortDecimalParsing(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Mostly well-formed cells, and enough near-misses (two points, stray signs, letters,
        // spaces, bytes above 0x7F) to reach every way out of the fast path.
        let digits = Array("0123456789".utf8), odd = Array(".-+e ,/:%\u{7F}".utf8) + [0x80, 0xB3, 0xE4, 0x00]
        var cells: [[UInt8]] = ["0", "-0", "+0", "7", "12345678", "-1234567", "0.0000001", ".5", "5.", "-.5", "99999999",
                                "1234.567", "1234.5678", "-", "+", ".", "-.", "1.2.3", "1e5", "0x10", "--1", "1-"].map { Array($0.utf8) }
        for _ in 0..<200_000 {
            let n = 1 + Int(rng.next() % 8)
            var cell: [UInt8] = []
            for i in 0..<n {
                let roll = rng.next() % 100
                if i == 0 && roll < 20 { cell.append(roll < 15 ? 0x2D : 0x2B) }
                else if roll < 12 { cell.append(0x2E) }
                else if roll < 15 { cell.append(odd[Int(rng.next() % UInt64(odd.count))]) }
                else { cell.append(digits[Int(rng.next() % 10)]) }
            }
            cells.append(cell)
        }
        var fast = 0
        for cell in cells {
            // The cell, then bytes that must not be read as part of it.
            let padded = cell + (0..<8).map { _ in UInt8(truncatingIfNeeded: rng.next() % 64 + 0x2B) }
            let short = padded.withUnsafeBytes { CellDecoder.parseShortDecimal($0.baseAddress!, count: cell.count) }
            let full = cell.withUnsafeBufferPointer { CellDecoder.parseDecimal($0) }
            guard let short else { continue }
            fast += 1
            let text = String(decoding: cell, as: UTF8.self)
            #expect(short.bitPattern == full?.bitPattern, "\(text): \(short) vs \(String(describing: full))")
            #expect(short.bitPattern == strtod(text, nil).bitPattern, "\(text): \(short) vs strtod")
        }
        // The fast path takes the well-formed cells of up to 8 bytes, and only those.
        let wellFormed = cells.filter { cell in
            guard cell.count <= 8 else { return false }
            let body = cell.first == 0x2D || cell.first == 0x2B ? Array(cell.dropFirst()) : cell
            return body.filter { $0 == 0x2E }.count <= 1 && body.contains { $0 != 0x2E } && body.allSatisfy { $0 == 0x2E || (0x30...0x39).contains($0) }
        }.count
        #expect(fast == wellFormed)
        #expect(fast > 50_000)
    }

    @Test("Decimal parsing is correctly rounded against strtod", arguments: [1, 2, 3] as [UInt64])
    func decimalParsing(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var texts = ["0", "-0", "1e5", "12345.678", "0.1", "9007199254740993", "123456789012345678901234", "1e-310",
                     "1.7976931348623157e308", "+3.5", ".5", "5.", "2.2250738585072011e-308", "0.000001234"]
        for _ in 0..<3_000 {
            let mantissa = Int64(bitPattern: rng.next()) % 10_000_000_000_000
            let decimals = Int(rng.next() % 8)
            var s = String(mantissa)
            if decimals > 0 {
                let digits = s.hasPrefix("-") ? String(s.dropFirst()) : s
                let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
                s = (s.hasPrefix("-") ? "-" : "") + padded.dropLast(decimals) + "." + padded.suffix(decimals)
            }
            texts.append(s)
            texts.append(s + "e" + String(Int(rng.next() % 40) - 20))
            // 14 to 21 digits with leading zeros and a point anywhere: mantissas on both sides of
            // 2^53 and of the 19 digits a 64-bit mantissa holds.
            var long = String(repeating: "0", count: Int(rng.next() % 3))
            for _ in 0..<(14 + Int(rng.next() % 8)) { long += String(rng.next() % 10) }
            let point = Int(rng.next() % UInt64(long.count + 1))
            long = String(long.prefix(point)) + "." + String(long.dropFirst(point))
            texts.append(long == "." ? "0" : long)
            texts.append(long + "e" + String(Int(rng.next() % 50) - 25))
        }
        for text in texts {
            var t = text
            let parsed = t.withUTF8 { CellDecoder.parseDecimal($0) }
            let reference = strtod(text, nil)
            #expect(parsed?.bitPattern == reference.bitPattern, "\(text): \(String(describing: parsed)) vs \(reference)")
        }
        for bad in ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,234", "NaN", "inf", "0x10", "1 2", "１２"] {
            var t = bad
            #expect(t.withUTF8 { CellDecoder.parseDecimal($0) } == nil, "\(bad)")
        }
    }
}
