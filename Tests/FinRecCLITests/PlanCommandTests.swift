import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec plan: programmes under quotas on the shipped pool, against HiGHS and Monte Carlo")
struct PlanCommandTests {
    static let root = ScoreRankCommandTests.root
    static let model = ScoreRankCommandTests.model
    static let pool = ScoreRankCommandTests.pool

    @Test("The example plan on the shipped pool: HiGHS's optimum equals ours to 1e-9, targets agree with 10⁶ Monte Carlo draws")
    func exampleAgainstHiGHS() throws {
        let folder = try ScoreRankCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let planFile = folder + "/plan.json", result = folder + "/result.json"
        try Data(PlanUseCase.exampleDocument.utf8).write(to: URL(fileURLWithPath: planFile))
        try Plan.parse(["--input", Self.pool, "--plan", planFile, "--model", Self.model, "--output", result, "--quiet"]).run()
        // Each programme's and target's candidates from `finrec rank`, listing every firm.
        let reserve = "certification_tier == 'little_giant' || certification_tier == 'provincial_srdi'"
        let ranks: [(flag: String, id: String, arguments: [String])] = [
            ("--programme", "reserve_pool", ["--product", "bse", "star", "chinext", "neeq", "--where", reserve]),
            ("--programme", "regional_board", ["--product", "regional_board"]),
            ("--programme", "reform", ["--product", "neeq", "--near-miss", "20000", "--where", "company_form == 'limited'"]),
            ("--target", "listings", ["--product", "bse", "star", "chinext"]),
        ]
        var arguments = [planFile, result]
        for r in ranks {
            let out = folder + "/\(r.id).json"
            try Rank.parse(["--input", Self.pool, "--model", Self.model, "--top", "20000", "--output", out, "--quiet"] + r.arguments).run()
            arguments += [r.flag, "\(r.id):\(out)"]
        }
        let check = try runPythonJSON(root: Self.root, script: "Tests/Plan/check_plan.py", arguments)
        #expect(check["status"] as? Int == 0, "HiGHS: \(check)")
        let highs = try #require(check["highs_objective"] as? Double), ours = try #require(check["finrec_objective"] as? Double)
        #expect(abs(highs - ours) < 1e-9, "HiGHS \(highs), finrec \(ours)")
        #expect(try #require(check["lp_integrality_gap"] as? Double) < 1e-9, "the LP's optimum is integral")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result))) as? [String: Any])
        let programmes = try #require(document["programmes"] as? [[String: Any]])
        let checked = try #require(check["programmes"] as? [String: [String: Any]])
        for p in programmes {
            let id = try #require(p["id"] as? String)
            // The same candidates: HiGHS's from rank's lists, ours counted while streaming.
            #expect(p["qualifying"] as? Int == checked[id]?["candidates"] as? Int, "\(id)")
            #expect(p["selected"] as? Int == p["capacity"] as? Int)
        }
        let reservePool = try #require(programmes.first)
        let quotas = try #require(reservePool["city_quotas"] as? [[String: Any]])
        #expect(quotas.count == 2)
        for q in quotas {
            let selected = try #require(q["selected"] as? Int)
            if let min = q["min"] as? Int { #expect(selected >= min) }
            if let max = q["max"] as? Int { #expect(selected <= max) }
        }
        let targets = try #require(check["targets"] as? [String: [String: Double]])
        let listings = try #require(targets["listings"])
        #expect(abs(listings["expected"]! - listings["finrec_expected"]!) < 1e-9)
        // 10⁶ draws: a standard error of at most 0.0005 on a probability.
        let reached = listings["finrec_reached"]!, mc = listings["mc_reached"]!
        #expect(abs(reached - mc) < 4.5 * max((reached * (1 - reached) / 1e6).squareRoot(), 1e-6) + 1e-6, "P(reach) \(reached) vs \(mc)")
        let tolerance = 0.003
        #expect(listings["mc_cdf_below_low"]! < 0.05 + tolerance && listings["mc_cdf_low"]! >= 0.05 - tolerance)
        #expect(listings["mc_cdf_below_high"]! < 0.95 + tolerance && listings["mc_cdf_high"]! >= 0.95 - tolerance)
    }

    @Test("CSV, JSON and the workbook list the same chosen firms; the terminal table names programmes in Chinese with the horizon")
    func outputsAgree() throws {
        let folder = try ScoreRankCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try ScoringModel(path: Self.model, asOf: "2026-06-30")
        let plan = try PlanUseCase.plan(bytes: Array(PlanUseCase.exampleDocument.utf8), name: "example", model: model)
        let document = try PlanUseCase.plan(try EnterpriseFileReader(path: Self.pool), plan: plan, model: model, workers: 2)
        let rows = CSVText.rows(document.csv())
        #expect(rows.first == PlanDocument.columns)
        guard case .object(let json) = try JSONValue.parse(document.json()), case .array(let programmes)? = json["programmes"] else {
            Issue.record("JSON shape"); return
        }
        var fromJSON: [[String]] = []
        for case .object(let p) in programmes {
            guard case .string(let id)? = p["id"], case .array(let firms)? = p["firms"] else { continue }
            for case .object(let f) in firms {
                guard case .string(let e)? = f["enterprise_id"], case .string(let o)? = f["offer_id"] else { continue }
                fromJSON.append([id, e, o])
            }
        }
        #expect(fromJSON.count == 1_500)
        #expect(rows.dropFirst().map { [$0[0], $0[4], $0[8]] } == fromJSON)
        let workbook = folder + "/plan.xlsx"
        try Data(try document.bytes(.xlsx)).write(to: URL(fileURLWithPath: workbook))
        let sheets = try runPythonJSON(root: Self.root, script: "Tests/Excel/read_xlsx.py", [workbook])["sheets"] as? [[String: Any]] ?? []
        #expect(sheets.map { $0["name"] as? String } == ["概览", "1 上市后备资源库", "2 区域性股权市场专精特新板", "3 规范化公司制改制"])
        for (j, sheet) in sheets.dropFirst().enumerated() {
            let sheetRows = (sheet["rows"] as? [[Any]] ?? []).dropFirst()
            let ids = sheetRows.map { "\($0[4])" }
            #expect(ids == rows.dropFirst().filter { $0[0] == ["reserve_pool", "regional_board", "reform"][j] }.map { $0[4] })
        }
        let table = document.table()
        #expect(table.contains("【上市后备资源库】") && table.contains("【目标】新增上市企业") && table.contains(PlanDocument.horizonNote))
        #expect(table.contains("合成"), "a synthetic model's probabilities say so")
        // Parallel and single-threaded runs choose the same firms.
        let single = try PlanUseCase.plan(try EnterpriseFileReader(path: Self.pool), plan: plan, model: model, workers: 1)
        #expect(single.csv() == document.csv())
    }

    @Test("An infeasible plan is refused, naming the programme, the city and how many firms qualify; no output is written")
    func infeasible() throws {
        let folder = try ScoreRankCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let planFile = folder + "/plan.json", out = folder + "/out.csv"
        let plan = PlanUseCase.exampleDocument.replacingOccurrences(of: "\"济南\": {\"min\": 80}", with: "\"济南\": {\"min\": 900}")
        try Data(plan.utf8).write(to: URL(fileURLWithPath: planFile))
        let message = failureMessage(Plan.self) {
            try Plan.parse(["--input", Self.pool, "--plan", planFile, "--model", Self.model, "--output", out]).run()
        }
        let text = try #require(message)
        #expect(text.contains("上市后备资源库 (reserve_pool)") && text.contains("济南") && text.contains("minimum of 900"), "\(text)")
        #expect(text.contains(planFile))
        #expect(!FileManager.default.fileExists(atPath: out))
        // Flags: a pool and a plan are needed unless --example.
        #expect(failureMessage(Plan.self) { _ = try Plan.parse(["--plan", planFile]) }?.contains("--input") == true)
        #expect(failureMessage(Plan.self) { _ = try Plan.parse(["--input", Self.pool]) }?.contains("--example") == true)
    }
}
