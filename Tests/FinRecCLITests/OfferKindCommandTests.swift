import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

/// A catalog with a fourth kind (equity, 股权融资, shown between the loans and the listing paths,
/// modelled, with a best offer) and one offer of it, trained into a small model: the new kind
/// flows through score (table, JSON, CSV, xlsx), rank --best, the page and both exports with no
/// change to the code.
@Suite("Offer kinds from the catalog, end to end: a fourth kind")
struct OfferKindCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let asOf = "2026-06-30"

    /// The shipped catalog's loans, boards and tiers with the kinds loans 1, equity 2, listing 3, tiers 4 and an offer
    /// `equity_round` of kind equity (open to a firm with an invention patent), listed last.
    static func catalog() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/Models/catalog.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["kinds"] = [
            ["id": "loan", "list": "loans", "list_zh": "贷款产品", "list_en": "Loans", "order": 1, "probability": true, "best": "best_loan"],
            ["id": "equity", "list": "equity", "list_zh": "股权融资", "list_en": "Equity financing", "order": 2, "probability": true, "best": "best_equity"],
            ["id": "board", "list": "listing", "list_zh": "上市路径", "list_en": "Listing paths", "order": 3, "probability": true, "best": "best_listing"],
            ["id": "tier", "list": "tiers", "list_zh": "资质升级", "list_en": "Tier upgrades", "order": 4, "probability": false],
        ]
        // The shipped loans, boards and tiers (its own equity, supply-chain and policy offers are not this test's).
        var offers = try #require(object["offers"] as? [[String: Any]]).filter { ["loan", "board", "tier"].contains($0["kind"] as? String ?? "") }
        offers.append([
            "id": "equity_round", "kind": "equity", "name_zh": "股权融资对接", "name_en": "Equity financing match",
            "description": "Test offer of the equity kind.",
            "rule": ["id": "patent", "zh": "拥有发明专利", "en": "holds an invention patent", "expr": "invention_patents >= 1",
                     "source": "test catalog (no published rule)", "status": "unconfirmed"],
        ])
        object["offers"] = offers
        return object
    }

    /// A small spec: three features, quick to train.
    static let spec = """
        {"format": "finrec-features", "format_version": 1, "features": [
          {"name": "patents", "zh": "发明专利", "en": "invention patents", "expr": "invention_patents", "log": true},
          {"name": "size", "zh": "规模", "en": "size", "expr": "revenue_y1", "log": true},
          {"name": "rd_share", "zh": "研发占比", "en": "R&D share", "expr": "clip(rd_expense_y1 / max(revenue_y1, 1), 0, 0.5)"}
        ]}
        """

    /// Writes `count` synthetic enterprises with a `label_equity_round` column: 1 for about a
    /// firm in three among those with two or more invention patents, else 0 (so the label has
    /// something to learn), empty for every fifth firm (not applied).
    static func labelled(_ path: String, count: Int, seed: UInt64) throws {
        let plain = path + ".plain.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: seed), withTruth: false).write(count: count, to: plain)
        let lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = CSVText.rows(lines[0] + "\n")[0]
        let patents = try #require(header.firstIndex(of: "invention_patents"))
        var out = lines[0] + ",label_equity_round\n"
        for (i, line) in lines.dropFirst().enumerated() {
            let cells = CSVText.rows(line + "\n")[0]
            let label = i % 5 == 0 ? "" : (Double(cells[patents]) ?? 0) >= 2 && i % 3 != 0 ? "1" : "0"
            out += line + "," + label + "\n"
        }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The trained model, its catalog file and a 60-row pool to score, in a fresh folder.
    static func setUp() throws -> (dir: String, model: String, pool: String) {
        let dir = NSTemporaryDirectory() + "finrec-kinds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let catalog = dir + "/catalog.json", spec = dir + "/spec.json", history = dir + "/history.csv", model = dir + "/model.json"
        try JSONSerialization.data(withJSONObject: try Self.catalog()).write(to: URL(fileURLWithPath: catalog))
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        try labelled(history, count: 3_000, seed: 31)
        try Train.parse(["--data", history, "--spec", spec, "--catalog", catalog, "--output", model, "--calibration", "none"]).run()
        let pool = dir + "/pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 32), withTruth: false).write(count: 60, to: pool)
        return (dir, model, pool)
    }

    @Test("score (table, JSON, CSV, xlsx), rank --best, the page and the SQL and PMML exports carry the equity kind")
    func fourthKindEndToEnd() throws {
        let (dir, model, pool) = try Self.setUp()
        let trained = try TrainedModel.read(from: model)
        #expect(trained.linear.products.map(\.id).contains("equity_round"), "the equity offer is modelled")
        #expect(!trained.linear.products.map(\.id).contains { ["innovative_sme", "srdi_sme", "little_giant"].contains($0) }, "tiers stay rules-only")
        #expect(trained.catalog.lists.map(\.id) == ["loans", "equity", "listing", "tiers"])

        // JSON: every enterprise's offers list by list, in the kinds' order, the equity offer in its own list.
        let document = try JSONValue.parse(try Score.parse([pool, "--format", "json", "--model", model, "--as-of", Self.asOf]).render())
        let order = ["loans", "equity", "listing", "tiers"]
        var equityStatuses: [String: (status: String, probability: Double?)] = [:]
        for e in document["enterprises"]?.array ?? [] {
            let offers = e["offers"]?.array ?? []
            let lists = offers.compactMap { $0["list"]?.string }
            let positions = lists.map { order.firstIndex(of: $0) ?? -1 }
            #expect(!positions.contains(-1) && positions == positions.sorted(), "lists in the kinds' order: \(lists)")
            let equity = try #require(offers.first { $0["id"]?.string == "equity_round" })
            #expect(equity["list"]?.string == "equity" && equity["kind"]?.string == "equity" && equity["rank"]?.number == 1)
            let status = equity["status"]?.string ?? ""
            #expect((equity["probability"]?.number != nil) == (status != "fail"), "a probability where the rule does not fail")
            equityStatuses[e["enterprise_id"]?.string ?? ""] = (status, equity["probability"]?.number)
        }
        #expect(equityStatuses.count == 60)
        #expect(equityStatuses.values.contains { $0.status == "pass" } && equityStatuses.values.contains { $0.status == "fail" })

        // Table: the 【股权融资】 list between 【贷款产品】 and 【上市路径】.
        let table = try Score.parse([pool, "--model", model, "--as-of", Self.asOf]).render()
        // The first enterprise's block (up to the next enterprise's 评估日 line); the tiers may all be held.
        let first = table.components(separatedBy: "评估日").dropFirst().first ?? ""
        let headings = ["【贷款产品】", "【股权融资】", "【上市路径】"].map { first.range(of: $0)?.lowerBound }
        #expect(headings.allSatisfy { $0 != nil } && headings.compactMap { $0 } == headings.compactMap { $0 }.sorted(), "table lists: \(first.prefix(600))")
        if let tiers = first.range(of: "【资质升级】"), let listing = headings[2] { #expect(listing < tiers.lowerBound) }
        let english = try Score.parse([pool, "--model", model, "--as-of", Self.asOf, "--lang", "en"]).render()
        #expect(english.contains("【Equity financing】"))

        // CSV: the equity rows name their list and kind.
        let csv = dir + "/scores.csv"
        try Score.parse([pool, "--format", "csv", "--model", model, "--as-of", Self.asOf, "--output", csv]).run()
        let rows = CSVText.rows(try String(contentsOfFile: csv, encoding: .utf8))
        let header = rows[0]
        let (list, offer, kind) = (header.firstIndex(of: "list")!, header.firstIndex(of: "offer_id")!, header.firstIndex(of: "kind")!)
        let equityRows = rows.dropFirst().filter { $0.count == header.count && $0[offer] == "equity_round" }
        #expect(equityRows.count == 60 && equityRows.allSatisfy { $0[list] == "equity" && $0[kind] == "equity" })

        // xlsx: the list column titles the equity rows 股权融资.
        let book = dir + "/scores.xlsx"
        try Score.parse([pool, "--format", "xlsx", "--model", model, "--as-of", Self.asOf, "--output", book]).run()
        let sheets = try runPythonJSON(root: Self.root, script: "Tests/Excel/read_xlsx.py", [book])["sheets"] as? [[String: Any]] ?? []
        let sheet = sheets.first?["rows"] as? [[Any]] ?? []
        let equityCells = sheet.dropFirst().filter { $0.count > 4 && $0[4] as? String == "equity_round" }
        #expect(equityCells.count == 60 && equityCells.allSatisfy { $0[2] as? String == "股权融资" })
        #expect(Set(sheet.dropFirst().compactMap { $0.count > 2 ? $0[2] as? String : nil }) == ["贷款产品", "股权融资", "上市路径", "资质升级"])

        // rank --best: a best_equity column group between the loans' and the listing's, equal to score's equity offer.
        let best = dir + "/best.csv"
        try Rank.parse(["--input", pool, "--model", model, "--as-of", Self.asOf, "--top", "5", "--output", dir + "/top.csv", "--best", best, "--quiet"]).run()
        let bestRows = CSVText.rows(try String(contentsOfFile: best, encoding: .utf8))
        let fields = ["id", "name_zh", "status", "probability", "points"]
        let groups: [String] = ["best_loan", "best_equity", "best_listing"].flatMap { (p: String) -> [String] in fields.map { p + "_" + $0 } }
        let expectedHeader: [String] = ["enterprise_id", "name", "line"] + groups + ["eligible_offers", "unknown_offers"]
        #expect(bestRows[0] == expectedHeader)
        let (bid, bstatus, bprob) = (bestRows[0].firstIndex(of: "best_equity_id")!, bestRows[0].firstIndex(of: "best_equity_status")!,
                                     bestRows[0].firstIndex(of: "best_equity_probability")!)
        #expect(bestRows.count == 61)
        for row in bestRows.dropFirst() where row.count == bestRows[0].count {
            let scored = try #require(equityStatuses[row[0]])
            // The only equity offer: chosen exactly when score gives it a probability.
            if let p = scored.probability {
                #expect(row[bid] == "equity_round" && row[bstatus] == scored.status && abs((Double(row[bprob]) ?? -1) - p) < 1e-12, "\(row[0])")
            } else {
                #expect(row[bid] == "" && row[bstatus] == "none", "\(row[0])")
            }
        }

        // Exports: the SQL's kind column and PMML's outputs carry the equity offer; both agree with score --format rows.
        let reference = dir + "/rows.csv"
        try Score.parse([pool, "--model", model, "--format", "rows", "--as-of", Self.asOf, "--output", reference]).run()
        let sql = dir + "/export.sql", pmml = dir + "/export.pmml"
        try Export.parse(["--model", model, "--output", sql, "--as-of", Self.asOf, "--format", "sql"]).run()
        try Export.parse(["--model", model, "--output", pmml, "--as-of", Self.asOf, "--format", "pmml"]).run()
        let duck = try runPythonJSON(root: Self.root, script: "Tests/Export/check_export.py", ["duckdb", sql, pool, reference, "--table", "enterprises"])
        let offerCount = trained.catalog.offers.count
        #expect(duck["rows_matched"] as? Int == 60 * offerCount && duck["status_mismatches"] as? Int == 0, "\(duck)")
        let kinds = duck["kinds"] as? [String: String] ?? [:]
        #expect(kinds == Dictionary(uniqueKeysWithValues: trained.catalog.offers.map { ($0.id, $0.kind.id) }) && kinds["equity_round"] == "equity")
        let jpmml = try runPythonJSON(root: Self.root, script: "Tests/Export/check_export.py", ["pmml", pmml, pool, reference])
        #expect(jpmml["rows_matched"] as? Int == 60 * offerCount && jpmml["status_mismatches"] as? Int == 0, "\(jpmml)")
        let worst = jpmml["max_abs"] as? [String: Double] ?? [:]
        #expect((worst["probability"] ?? 1) <= 1e-9, "\(worst)")
        #expect(try String(contentsOfFile: pmml, encoding: .utf8).contains("probability_equity_round"))

        // The page: the 股权融资 list between the loans and the listing paths, holding the equity offer.
        let server = try ServerProcess(["--model", model, "--audit", dir + "/audit.sqlite", "--as-of", Self.asOf], folder: dir)
        defer { server.stop() }
        let sample = dir + "/five.csv"
        let lines = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(6).joined(separator: "\n") + "\n").write(toFile: sample, atomically: true, encoding: .utf8)
        for (language, title) in [("zh", "股权融资"), ("en", "股权融资 Equity financing")] {
            let page = try runPythonJSON(root: Self.root, script: "Tests/Serve/check_service.py", ["page", server.url, sample, language])
            let enterprises = page["enterprises"] as? [[[String: Any]]] ?? []
            #expect(page["status"] as? Int == 303 && enterprises.count == 5, "\(page)")
            for lists in enterprises {
                #expect(lists.map { $0["key"] as? String ?? "" }.filter { $0 != "tiers" } == ["loans", "equity", "listing"], "\(lists.map { $0["key"] ?? "" })")
                let equity = lists.first { $0["key"] as? String == "equity" }
                #expect(equity?["title"] as? String == title && equity?["offers"] as? [String] == ["equity_round"])
            }
        }
    }
}
