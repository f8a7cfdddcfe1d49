import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The exports run in the engines they are for (Tests/Export/check_export.py) and must give
/// FinRec's own per-row output (`score --format rows`) on every row: the same status and held
/// flag, and logit, probability and points within 1e-9.
@Suite("finrec export: PMML in jpmml-evaluator, SQL in DuckDB, Spark and PostgreSQL, against score --format rows")
struct ExportEngineTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var pool: String { root + "/Datasets/shandong-pool.csv" }
    var shippedModel: String { root + "/Models/default-model.json" }
    static let asOf = "2026-06-30"

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// FinRec's per-row output for `data` on `asOf`, the reference.
    func rows(model: String, data: String, into dir: String, asOf: String = Self.asOf) throws -> String {
        let out = dir + "/rows.csv"
        try Score.parse([data, "--model", model, "--format", "rows", "--as-of", asOf, "--output", out]).run()
        return out
    }

    /// Exports with `arguments` (and `--as-of` unless `fixedDate` is false: then the engine's
    /// today), runs the export in `engine` on `data`, returns the comparison.
    func check(engine: String, model: String, data: String, export arguments: [String], table: String = "enterprises",
               fixedDate: Bool = true) throws -> [String: Any] {
        let dir = try folder()
        let today = CivilDate.today.iso
        let reference = try rows(model: model, data: data, into: dir, asOf: fixedDate ? Self.asOf : today)
        let file = dir + "/export" + (engine == "pmml" ? ".pmml" : ".sql")
        try Export.parse(["--model", model, "--output", file] + (fixedDate ? ["--as-of", Self.asOf] : []) + arguments).run()
        return try runPythonJSON(root: root, script: "Tests/Export/check_export.py", [engine, file, data, reference, "--table", table])
    }

    /// Every row there, every status and held flag equal, every number within 1e-9 (points,
    /// some hundreds, within 1e-9 relative), and a missing value exactly where FinRec has one.
    func expectAgreement(_ r: [String: Any], rows: Int, _ label: String) {
        #expect(r["rows_reference"] as? Int == rows && r["rows_engine"] as? Int == rows && r["rows_matched"] as? Int == rows, "\(label): \(r)")
        #expect(r["status_mismatches"] as? Int == 0, "\(label): statuses")
        #expect(r["held_mismatches"] as? Int == 0, "\(label): held")
        #expect(r["missing_mismatches"] as? Int == 0, "\(label): missing where FinRec is")
        let worst = r["max_abs"] as? [String: Double] ?? [:]
        #expect((worst["probability"] ?? 1) <= 1e-9 && (worst["logit"] ?? 1) <= 1e-9 && (worst["points"] ?? 1) <= 1e-9 * 1_000, "\(label): \(worst)")
        // Not a vacuous comparison: numbers for the open offers, and all three statuses.
        #expect((r["values_compared"] as? Int ?? 0) > rows / 10, "\(label): numbers compared")
        let statuses = r["statuses"] as? [String: Int] ?? [:]
        #expect(["pass", "fail", "unknown"].allSatisfy { (statuses[$0] ?? 0) > 0 }, "\(label): \(statuses)")
    }

    static let offers = shippedCatalogOfferCount

    @Test("PMML: valid against the PMML 4.4 schema; jpmml-evaluator gives FinRec's status, probability, points and reason codes on the whole shipped pool")
    func pmmlShippedPool() throws {
        let r = try check(engine: "pmml", model: shippedModel, data: pool, export: ["--format", "pmml"])
        expectAgreement(r, rows: 20_000 * Self.offers, "jpmml")
        #expect(r["reason_mismatches"] as? Int == 0, "reason1…3 as FinRec's reason codes up")
        #expect((r["schema"] as? String)?.contains("valid against http://www.dmg.org/PMML-4_4") == true)
    }

    @Test("SQL in DuckDB, from a table named by --table: FinRec's rows on the whole shipped pool")
    func duckdbShippedPool() throws {
        let r = try check(engine: "duckdb", model: shippedModel, data: pool, export: ["--format", "sql", "--dialect", "duckdb", "--table", "firms"], table: "firms")
        expectAgreement(r, rows: 20_000 * Self.offers, "duckdb")
        #expect(r["columns"] as? [String] == ["enterprise_id", "offer_id", "offer_name_zh", "kind", "status", "held", "logit", "probability", "points"])
    }

    @Test("SQL in Spark local mode: FinRec's rows on the whole shipped pool")
    func sparkShippedPool() throws {
        let r = try check(engine: "spark", model: shippedModel, data: pool, export: ["--format", "sql", "--dialect", "spark"])
        expectAgreement(r, rows: 20_000 * Self.offers, "spark")
    }

    @Test("SQL in a PostgreSQL server: FinRec's rows on the whole shipped pool")
    func postgresShippedPool() throws {
        let r = try check(engine: "postgres", model: shippedModel, data: pool, export: ["--format", "sql", "--dialect", "postgres"])
        expectAgreement(r, rows: 20_000 * Self.offers, "postgres")
    }

    /// A spec that uses what the shipped one does not: optimal bins with a special value, one-hot
    /// features on a category and on a text column, a spec definition, and every function.
    static let spec = """
        {"format": "finrec-features", "format_version": 1,
         "definitions": [{"name": "margin", "expr": "net_profit_y1 / revenue_y1"}],
         "features": [
          {"name": "margin_bins", "zh": "净利率分箱", "en": "margin (bins)", "expr": "margin", "binning": {"method": "optimal", "special": [0]}},
          {"name": "rd_bins", "zh": "研发分箱", "en": "R&D (bins)", "expr": "rd_expense_y1", "binning": {"method": "manual", "cuts": [50, 200, 800]}},
          {"name": "tier", "zh": "资质", "en": "tier", "expr": "certification_tier", "one_hot": "learn"},
          {"name": "city", "zh": "城市", "en": "city", "expr": "city", "one_hot": ["济南", "青岛", "潍坊"]},
          {"name": "rd_share", "zh": "研发占比", "en": "R&D share", "expr": "clip(rd_expense_y1 / max(revenue_y1, 1), 0, 0.5)"},
          {"name": "growth", "zh": "增长", "en": "growth", "expr": "if(is_missing(revenue_y2), 0, sqrt(abs(revenue_y1 / revenue_y2)))", "missing_indicator": true},
          {"name": "size", "zh": "规模", "en": "size", "expr": "min(revenue_y1, total_assets)", "log": true},
          {"name": "profit", "zh": "利润", "en": "profit", "expr": "net_profit_y1 - 0.5 * net_profit_y2", "signed_log": true},
          {"name": "mix", "zh": "组合", "en": "mix", "expr": "if(starts_with(industry_code, 'C', 'I6') && in(city, '济南', '青岛') || !(employees > 100), 1, 0)", "standardise": false},
          {"name": "age", "zh": "年龄", "en": "age", "expr": "log1p(max(fiscal_year - founding_year, 0)) + -(neeq_months / 12)"}
         ]}
        """

    @Test("A model with bins, special values, one-hot categories and text, spec definitions and every function: SQL (DuckDB) and PMML give FinRec's rows")
    func everyConstruct() throws {
        let dir = try folder()
        let history = dir + "/history.csv", data = dir + "/pool.csv", spec = dir + "/spec.json", model = dir + "/model.json"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 161), withTruth: false).write(count: 6_000, to: history)
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 162), withTruth: false).write(count: 3_000, to: data)
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        try Train.parse(["--data", history, "--spec", spec, "--output", model, "--c", "0.3", "--calibration", "none"]).run()
        let trained = try TrainedModel.read(from: model)
        #expect(trained.features.bins.compactMap { $0 }.count == 2 && trained.features.vocabularies.compactMap { $0 }.count == 2)
        let sql = try check(engine: "duckdb", model: model, data: data, export: ["--format", "sql"])
        expectAgreement(sql, rows: 3_000 * Self.offers, "duckdb, every construct")
        let pmml = try check(engine: "pmml", model: model, data: data, export: ["--format", "pmml"])
        expectAgreement(pmml, rows: 3_000 * Self.offers, "jpmml, every construct")
        #expect(pmml["reason_mismatches"] as? Int == 0)
    }

    @Test("A one-sided model of an adverse event (the shipped spec, its clips and directions): every engine gives FinRec's rows, values beyond the training range included")
    func oneSidedAdverse() throws {
        let dir = try folder()
        let history = dir + "/history.csv", data = dir + "/pool.csv", model = dir + "/model.json"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 161), withTruth: false).write(count: 6_000, to: history)
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 163), withTruth: false).write(count: 2_000, to: data)
        try Train.parse(["--data", history, "--spec", root + "/Models/features.json", "--output", model, "--c", "0.3", "--calibration", "none",
                         "--event", "adverse"]).run()
        let trained = try TrainedModel.read(from: model)
        #expect(trained.features.layout == .oneSided && trained.features.polarity == .adverse)
        // Not vacuous: excess terms with a slope, and rows of the pool beyond the training range.
        let excess = ScorecardDocument(model: trained).rows.filter { ($0.kind == .above || $0.kind == .below) && ($0.slope ?? 0) != 0 }
        #expect(excess.count > 20)
        let chunk = try #require(try EnterpriseFileReader(path: data).nextChunk())
        let x = trained.features.apply(chunk, parameters: ["as_of_date": Double(CivilDate(isoDate: Self.asOf)!.daysSinceEpoch)])
        let beyond = trained.features.columns.indices.filter { [.excessAbove, .excessBelow].contains(trained.features.columns[$0].role) }
        #expect((0..<x.rows).filter { r in beyond.contains { x[r, $0] > 0 } }.count > 50)
        for engine in ["duckdb", "postgres", "spark"] {
            let r = try check(engine: engine, model: model, data: data, export: ["--format", "sql", "--dialect", engine])
            expectAgreement(r, rows: 2_000 * Self.offers, "\(engine), one-sided adverse")
        }
        let pmml = try check(engine: "pmml", model: model, data: data, export: ["--format", "pmml"])
        expectAgreement(pmml, rows: 2_000 * Self.offers, "jpmml, one-sided adverse")
        #expect(pmml["reason_mismatches"] as? Int == 0)
    }

    @Test("Without --as-of the SQL assesses the rules on the day it runs, and the PMML on the day of export: FinRec's rows as of today")
    func todayByDefault() throws {
        let dir = try folder(), sample = dir + "/sample.csv"
        let lines = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(3_001).joined(separator: "\n") + "\n").write(toFile: sample, atomically: true, encoding: .utf8)
        let sql = try check(engine: "duckdb", model: shippedModel, data: sample, export: ["--format", "sql"], fixedDate: false)
        expectAgreement(sql, rows: 3_000 * Self.offers, "duckdb, CURRENT_DATE")
        let pmml = try check(engine: "pmml", model: shippedModel, data: sample, export: ["--format", "pmml"], fixedDate: false)
        expectAgreement(pmml, rows: 3_000 * Self.offers, "jpmml, the day of export")
        // The date is the engine's, not a constant: the query reads CURRENT_DATE, the document today's day number.
        let query = dir + "/today.sql", document = dir + "/today.pmml"
        try Export.parse(["--model", shippedModel, "--format", "sql", "--output", query]).run()
        try Export.parse(["--model", shippedModel, "--format", "pmml", "--output", document]).run()
        let text = try String(contentsOfFile: query, encoding: .utf8)
        #expect(text.contains("CURRENT_DATE") && text.contains("as of the day the query runs"))
        let today = CivilDate.today.daysSinceEpoch
        #expect(try String(contentsOfFile: document, encoding: .utf8).contains("<Constant dataType=\"double\">\(today)"))
    }

    /// Firms exactly at the catalog's ratio and growth thresholds, where binary floating point
    /// falls a hair short of the decimal (3600 / 3000 − 1 = 0.19999999999999996): each edit
    /// overwrites columns of a copy of a pool row. The first two make the 新三板 reviewer's firm,
    /// growing from 3000万 to 3600万 (exactly 20%, its only financial alternative) and to 3599.99万.
    static let neeqFirm = ["neeq_status": "not_quoted", "neeq_months": "0", "company_form": "joint_stock", "fiscal_year": "2025",
                           "founding_year": "2023", "share_capital": "500", "total_assets": "1000", "total_liabilities": "500",
                           "net_assets": "500", "revenue_y2": "3000", "revenue_y1": "3600", "main_business_revenue_y2": "3000",
                           "main_business_revenue_y1": "3450", "rd_expense_y1": "149", "rd_expense_y2": "150", "net_profit_y1": "-10",
                           "net_profit_y2": "-10", "operating_cash_flow_y1": "-1", "operating_cash_flow_y2": "-1", "equity_financing_2y": "0",
                           "abnormal_or_dishonest": "0", "major_accident_3y": "0", "industry_code": "C35"]
    static let boundaryEdits: [[String: String]] = [
        neeqFirm,
        neeqFirm.merging(["revenue_y1": "3599.99"]) { _, b in b },
        // Growth 30% (北交所), 3-year CAGR 25% and 30% (科创板, 创业板, 创新层).
        ["revenue_y2": "10000", "revenue_y1": "13000", "main_business_revenue_y2": "11000", "main_business_revenue_y1": "12000"],
        ["revenue_y3": "1600", "revenue_y2": "2000", "revenue_y1": "2500", "main_business_revenue_y1": "2400"],
        ["revenue_y3": "1600", "revenue_y2": "2100", "revenue_y1": "2704", "main_business_revenue_y1": "2600"],
        // R&D 5% and 8% over two years, 3% in each year, 15% over three; main business 90%, 70%.
        ["revenue_y1": "8765.4", "revenue_y2": "5432.1", "rd_expense_y1": "438.27", "rd_expense_y2": "271.605", "main_business_revenue_y1": "7888.86"],
        ["revenue_y1": "8765.4", "revenue_y2": "5432.1", "rd_expense_y1": "701.232", "rd_expense_y2": "434.568", "main_business_revenue_y1": "7888.86"],
        ["revenue_y1": "8765.4", "revenue_y2": "5432.1", "rd_expense_y1": "262.962", "rd_expense_y2": "162.963", "main_business_revenue_y1": "6135.78"],
        ["revenue_y1": "8765.4", "revenue_y2": "5432.1", "revenue_y3": "3333.3", "rd_expense_y1": "1314.81", "rd_expense_y2": "814.815",
         "rd_expense_y3": "499.995", "main_business_revenue_y1": "7012.32"],
        // Debt ratios 55%, 70%, 75%, 80%.
        ["total_assets": "8765.4", "total_liabilities": "4820.97", "net_assets": "3944.43"],
        ["total_assets": "8765.4", "total_liabilities": "6135.78", "net_assets": "2629.62"],
        ["total_assets": "8765.4", "total_liabilities": "6574.05", "net_assets": "2191.35"],
        ["total_assets": "8765.4", "total_liabilities": "7012.32", "net_assets": "1753.08"],
        // Average ROE 8% and 6%, R&D staff 10% and 50%.
        ["weighted_roe_y1": "0.0923", "weighted_roe_y2": "0.0677"],
        ["weighted_roe_y1": "0.0723", "weighted_roe_y2": "0.0477"],
        ["employees": "10000", "rd_staff": "1000"],
        ["employees": "10000", "rd_staff": "5000"],
    ]

    @Test("Firms exactly at ratio and growth thresholds: every engine decides as FinRec does (3000万 → 3600万 is 20% growth)")
    func thresholdsAsDecimals() throws {
        let dir = try folder(), data = dir + "/boundary.csv"
        let lines = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var out = Array(lines.prefix(301))
        var ids: [String] = []
        for (k, edit) in Self.boundaryEdits.enumerated() {
            var cells = lines[k + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let id = try #require(CreditCode.complete("9137010000" + String(10_000_000 + k).dropFirst()))
            cells[0] = id
            ids.append(id)
            for (column, value) in edit { cells[try #require(header.firstIndex(of: column), "\(column)")] = value }
            out.append(cells.joined(separator: ","))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let count = 300 + Self.boundaryEdits.count

        // FinRec's decision: the firm growing exactly 20% is 符合 for 新三板, the one at 3599.99万 is not.
        let reference = try String(contentsOfFile: rows(model: shippedModel, data: data, into: dir), encoding: .utf8)
        var neeq: [String: String] = [:]  // enterprise → status
        for line in reference.split(separator: "\n") {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if cells.count > 4 && cells[1] == "neeq" { neeq[cells[0]] = cells[4] }
        }
        #expect(neeq[ids[0]] == "pass" && neeq[ids[1]] == "fail", "\(neeq[ids[0]] ?? "-"), \(neeq[ids[1]] ?? "-")")
        #expect(neeq.count == count)

        for (engine, arguments) in [("duckdb", ["--format", "sql", "--dialect", "duckdb"]), ("postgres", ["--format", "sql", "--dialect", "postgres"]),
                                    ("spark", ["--format", "sql", "--dialect", "spark"]), ("pmml", ["--format", "pmml"])] {
            let r = try check(engine: engine, model: shippedModel, data: data, export: arguments)
            expectAgreement(r, rows: count * Self.offers, "\(engine), firms at thresholds")
        }
    }
}

/// The exports and the per-row output without the engines (these also run under the address
/// sanitizer, which leaves the engine suites to the first pass: their time is in other processes).
@Suite("finrec export and score --format rows, in Swift alone")
struct ExportCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var pool: String { root + "/Datasets/shandong-pool.csv" }
    var shippedModel: String { root + "/Models/default-model.json" }
    static let asOf = ExportEngineTests.asOf
    static let offers = ExportEngineTests.offers

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("The PMML document of the shipped model: well-formed XML, one scorecard per product, every output field; the SQL: every offer")
    func documentsHoldEveryOffer() throws {
        let dir = try folder(), pmml = dir + "/m.pmml", sql = dir + "/m.sql"
        try Export.parse(["--model", shippedModel, "--as-of", Self.asOf, "--output", pmml]).run()
        try Export.parse(["--model", shippedModel, "--as-of", Self.asOf, "--dialect", "postgres", "--output", sql]).run()
        let model = try TrainedModel.read(from: shippedModel)
        let outline = try XMLOutline(path: pmml)
        #expect(outline.root == "PMML" && outline.rootAttributes["version"] == "4.4")
        #expect(outline.count("Scorecard") == model.linear.products.count)
        var expected: [String] = []
        for offer in model.catalog.offers {
            expected += ["status_" + offer.id, "held_" + offer.id]
            if model.linear.products.contains(where: { $0.id == offer.id }) {
                expected += ["points_", "logit_", "probability_", "reason1_", "reason2_", "reason3_"].map { $0 + offer.id }
            }
        }
        #expect(outline.names(of: "OutputField", under: ["PMML", "MiningModel", "Output"]) == expected)
        let inputs = outline.names(of: "DataField", under: ["PMML", "DataDictionary"])
        #expect(inputs.allSatisfy { EnterpriseSchema.schema.index(of: $0) != nil } && inputs.contains("certification_tier"))
        let text = try String(contentsOfFile: sql, encoding: .utf8)
        #expect(text.contains("MATERIALIZED") && text.contains("FROM enterprises"))
        for offer in model.catalog.offers { #expect(text.contains("('\(offer.id)', '\(offer.chineseName)', '\(offer.kind.id)')")) }
    }

    @Test("score --format rows: the JSON document's status, logit, probability and points; the same lines for any threads and chunk size")
    func rowsAgreeWithTheDocument() throws {
        let dir = try folder()
        let sample = dir + "/sample.csv"
        let lines = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(301).joined(separator: "\n") + "\n").write(toFile: sample, atomically: true, encoding: .utf8)
        let a = dir + "/a.csv", b = dir + "/b.csv"
        try Score.parse([sample, "--format", "rows", "--as-of", Self.asOf, "--output", a, "--threads", "1"]).run()
        try Score.parse([sample, "--format", "rows", "--as-of", Self.asOf, "--output", b, "--threads", "2", "--chunk-rows", "7"]).run()
        let rowsText = try String(contentsOfFile: a, encoding: .utf8)
        #expect(rowsText == (try String(contentsOfFile: b, encoding: .utf8)), "chunking and threads change nothing")
        let table = rowsText.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(table[0] == ["enterprise_id", "offer_id", "offer_name_zh", "kind", "status", "held", "logit", "probability", "points", "reason1", "reason2", "reason3",
                             "effective_rate", "benefit"])
        #expect(table.count == 1 + 300 * Self.offers)

        // The officer's document for the same applicants: every offer it lists has the same numbers.
        let json = dir + "/doc.json"
        try Score.parse([sample, "--format", "json", "--as-of", Self.asOf, "--output", json]).run()
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any] ?? [:]
        var byKey: [String: [String]] = [:]
        for row in table.dropFirst() { byKey[row[0] + "/" + row[1]] = row }
        var compared = 0, held = 0
        for enterprise in document["enterprises"] as? [[String: Any]] ?? [] {
            let id = enterprise["enterprise_id"] as? String ?? ""
            for offer in enterprise["offers"] as? [[String: Any]] ?? [] {
                let row = try #require(byKey[id + "/" + (offer["id"] as? String ?? "")])
                #expect(row[4] == offer["status"] as? String && row[5] == "0")
                // The cost after subsidies and a policy's worth, as the document reckons them.
                if let rate = (offer["cost"] as? [String: Any])?["effective_rate"] as? Double {
                    #expect(abs((Double(row[12]) ?? .nan) - rate) <= 1e-12, "\(id) \(row[1]) effective rate")
                } else {
                    #expect(row[12].isEmpty)
                }
                if let worth = offer["benefit"] as? Double {
                    #expect(abs((Double(row[13]) ?? .nan) - worth) <= 1e-9, "\(id) \(row[1]) benefit")
                } else {
                    #expect(row[13].isEmpty)
                }
                if let p = offer["probability"] as? Double {
                    #expect(abs(Double(row[7])! - p) <= 1e-12 && abs(Double(row[6])! - (offer["logit"] as? Double ?? .nan)) <= 1e-12)
                    #expect(abs(Double(row[8])! - (offer["points"] as? Double ?? .nan)) <= 1e-9)
                    let up = (offer["reason_codes_up"] as? [[String: Any]] ?? []).compactMap { $0["feature"] as? String }
                    #expect(Array(row[9...11].filter { !$0.isEmpty }) == up)
                    compared += 1
                } else {
                    #expect(row[6].isEmpty && row[7].isEmpty && row[8].isEmpty)
                }
            }
            for h in enterprise["held"] as? [String] ?? [] {
                #expect(byKey[id + "/" + h]?[5] == "1", "held offers are flagged")
                held += 1
            }
        }
        #expect(compared > 300 && held > 100, "\(compared) open offers and \(held) held ones compared")
    }

    @Test("score --format rows on bad input: the file and line named, no output file left behind")
    func rowsOnBadInput() throws {
        let dir = try folder()
        let header = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n").prefix(3)
        let empty = dir + "/empty.csv", bad = dir + "/bad.csv", out = dir + "/rows.csv"
        try (header[0] + "\n").write(toFile: empty, atomically: true, encoding: .utf8)
        // The second enterprise's revenue is not a number.
        let fields = header[0].split(separator: ",", omittingEmptySubsequences: false)
        var cells = header[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let revenue = try #require(fields.firstIndex(of: "revenue_y1"))
        cells[revenue] = "很多"
        try ([String(header[0]), String(header[1]), cells.joined(separator: ",")].joined(separator: "\n") + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        for (input, expected) in [(empty, "has no enterprises to score"), (bad, "bad.csv:3:")] {
            let message = failureMessage(Score.self) { try Score.parse([input, "--format", "rows", "--output", out]).run() }
            #expect(message?.contains(expected) == true, "\(input): \(message ?? "accepted")")
            #expect(contentsOfFolder(dir).filter { $0.hasPrefix("rows") || $0.hasSuffix(".tmp") }.isEmpty, "no output, no temporary file")
        }
    }

    @Test("The exports compare with a threshold's band, as FinRec does: revenue growth ≥ 20% is written ≥ 0.2 − 1e-9")
    func thresholdBands() throws {
        let dir = try folder(), pmml = dir + "/m.pmml"
        try Export.parse(["--model", shippedModel, "--as-of", Self.asOf, "--output", pmml]).run()
        let document = try String(contentsOfFile: pmml, encoding: .utf8)
        for dialect in SQLExport.Dialect.allCases {
            let sql = dir + "/\(dialect.rawValue).sql"
            try Export.parse(["--model", shippedModel, "--as-of", Self.asOf, "--format", "sql", "--dialect", dialect.rawValue, "--output", sql]).run()
            let text = try String(contentsOfFile: sql, encoding: .utf8)
            let low = dialect == .spark ? "0.199999999D" : "CAST(0.199999999 AS \(dialect == .postgres ? "DOUBLE PRECISION" : "DOUBLE"))"
            #expect(text.contains("(\(dialect.rawValue == "spark" ? "`def_revenue_growth_1y`" : "\"def_revenue_growth_1y\"") >= \(low))"), "\(dialect)")
            #expect(!text.contains(">= \(dialect == .spark ? "0.2D" : "CAST(0.2 AS")"), "\(dialect): no bare bound")
            // `flag == 0` is the band around 0.
            let band = dialect == .spark ? "-1e-09D AND 1e-09D" : "CAST(-1e-09 AS \(dialect == .postgres ? "DOUBLE PRECISION" : "DOUBLE")) AND CAST(1e-09 AS \(dialect == .postgres ? "DOUBLE PRECISION" : "DOUBLE"))"
            #expect(text.contains("BETWEEN \(band)"), "\(dialect)")
        }
        #expect(document.contains("<Apply function=\"greaterOrEqual\">\n") && document.contains("<Constant dataType=\"double\">0.199999999</Constant>"))
        #expect(!document.contains("<Constant dataType=\"double\">0.2</Constant>"))
    }

    @Test("export refuses what it cannot do, with what to do")
    func refusals() throws {
        let cases: [([String], String)] = [
            (["--format", "sql", "--table", "x; DROP TABLE y"], "--table takes a table or view name"),
            (["--format", "sql", "--as-of", "30/06/2026"], "YYYY-MM-DD"),
            (["--output", "model.txt"], "--format pmml or --format sql"),
            (["--format", "pmml", "--reasons", "99"], "--reasons"),
            (["--format", "sql", "--dialect", "oracle"], "oracle"),
        ]
        for (arguments, expected) in cases {
            let message = failureMessage(Export.self) { _ = try Export.parse(["--model", shippedModel] + arguments) }
            #expect(message?.contains(expected) == true, "\(arguments): \(message ?? "accepted")")
        }
    }
}

/// A well-formed XML document's element names with their parents (Foundation's SAX parser).
final class XMLOutline: NSObject, XMLParserDelegate {
    private(set) var root = ""
    private(set) var rootAttributes: [String: String] = [:]
    private var stack: [String] = []
    /// (path of parents, element name, its "name" attribute).
    private var elements: [(parents: [String], name: String, nameAttribute: String?)] = []

    init(path: String) throws {
        super.init()
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = self
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if stack.isEmpty { root = element; rootAttributes = attributes }
        elements.append((stack, element, attributes["name"]))
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }

    func count(_ element: String) -> Int { elements.filter { $0.name == element }.count }

    /// The `name` attributes of `element`s whose parents are exactly `parents`, in order.
    func names(of element: String, under parents: [String]) -> [String] {
        elements.filter { $0.name == element && $0.parents == parents }.compactMap(\.nameAttribute)
    }
}
