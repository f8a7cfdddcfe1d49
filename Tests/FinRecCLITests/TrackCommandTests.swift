import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec track: a panel followed year by year, against independent counts and scores")
struct TrackCommandTests {
    static let model = ScoreRankCommandTests.model

    /// A 1,500-firm panel of 2022–2024 and its rows by year (header first).
    static func panel(_ folder: String) throws -> (path: String, header: [String], byYear: [Int: [[String]]]) {
        let path = folder + "/panel.csv"
        try SyntheticPanel(seed: 5, years: 2022...2024, count: 1_500, withTruth: false).write(to: path)
        let rows = CSVText.rows(try String(contentsOfFile: path, encoding: .utf8)).filter { $0.count > 1 }
        let year = rows[0].firstIndex(of: "fiscal_year")!
        return (path, rows[0], Dictionary(grouping: rows.dropFirst(), by: { Int($0[year])! }))
    }

    @Test("Transitions equal a count over the rows; the backtest's AUC, Brier and expected successes equal the rows scored by `score --format rows` on each year's date")
    func againstIndependentCounts() throws {
        let folder = try ScoreRankCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, header, byYear) = try Self.panel(folder)
        let column = { (name: String) in header.firstIndex(of: name)! }
        let document = try TrackUseCase.track(path: path, modelPath: Self.model, movers: 5)
        guard case .object(let json) = try JSONValue.parse(document.json()), case .array(let transitions)? = json["transitions"],
              case .array(let backtests)? = json["backtest"] else { Issue.record("JSON shape"); return }
        #expect(transitions.count == 2)
        let tiers = ["none", "innovative", "provincial_srdi", "little_giant"]
        for case .object(let t) in transitions {
            guard case .number(let from)? = t["from"] else { continue }
            let a = Dictionary(uniqueKeysWithValues: byYear[Int(from)]!.map { ($0[0], $0) })
            let b = Dictionary(uniqueKeysWithValues: byYear[Int(from) + 1]!.map { ($0[0], $0) })
            #expect(t["exits"] == .number(Double(a.keys.filter { b[$0] == nil }.count)))
            #expect(t["entries"] == .number(Double(b.keys.filter { a[$0] == nil }.count)))
            var upgrades: [String: Int] = [:], quotations = 0, listings = 0
            for (id, old) in a {
                guard let new = b[id] else { continue }
                let was = tiers.firstIndex(of: old[column("certification_tier")])!, now = tiers.firstIndex(of: new[column("certification_tier")])!
                if now > was { upgrades[tiers[now], default: 0] += 1 }
                if old[column("neeq_status")] == "not_quoted" && new[column("neeq_status")] != "not_quoted" { quotations += 1 }
                if old[column("listed_board")] == "none" && new[column("listed_board")] != "none" { listings += 1 }
            }
            #expect(t["upgrades"] == .object(JSONObject(upgrades.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })))
            #expect(t["new_quotations"] == .number(Double(quotations)))
            guard case .object(let l)? = t["new_listings"] else { continue }
            #expect(l.members.reduce(0) { sum, m in if case .number(let n) = m.value { return sum + Int(n) }; return sum } == listings)
            let venture = a.values.filter { $0[column("label_venture_fund")] == "1" }.count
            if venture > 0 { #expect((t["investments"].flatMap { if case .object(let o) = $0 { return o["venture_fund"] }; return nil }) == .number(Double(venture))) }
        }

        // The backtest of 专精特新贷 in 2023 against the rows `score` writes for that year's snapshot.
        let slice = folder + "/2023.csv", scored = folder + "/rows.csv"
        try Data(([header] + byYear[2023]!).map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: slice))
        try Score.parse([slice, "--model", Self.model, "--format", "rows", "--as-of", "2024-06-30", "--output", scored]).run()
        let rows = CSVText.rows(try String(contentsOfFile: scored, encoding: .utf8)).filter { $0.count > 1 }
        let label = Dictionary(uniqueKeysWithValues: byYear[2023]!.map { ($0[0], $0[column("label_srdi_loan")]) })
        var p: [Double] = [], y: [Double] = []
        for r in rows.dropFirst() where r[1] == "srdi_loan" && r[4] != "fail" {
            guard let outcome = label[r[0]].flatMap(Double.init) else { continue }
            p.append(Double(r[7])!)
            y.append(outcome)
        }
        var auc = 0.0, pairs = 0.0
        for i in p.indices where y[i] == 1 { for j in p.indices where y[j] == 0 { auc += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0; pairs += 1 } }
        auc /= pairs
        let brier = zip(p, y).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(p.count)
        let entry = backtests.compactMap { v -> JSONObject? in
            guard case .object(let o) = v, o["year"] == .number(2023), o["offer_id"] == .string("srdi_loan") else { return nil }
            return o
        }.first
        let found = try #require(entry)
        #expect(found["applicants"] == .number(Double(p.count)) && found["observed"] == .number(y.reduce(0, +)))
        guard case .number(let expected)? = found["expected"], case .number(let a)? = found["auc"], case .number(let b)? = found["brier"] else {
            Issue.record("backtest fields"); return
        }
        // `rows` prints probabilities to 17 significant digits: agreement to 1e-9.
        #expect(abs(expected - p.reduce(0, +)) < 1e-9 * Double(p.count))
        #expect(abs(a - auc) < 1e-9 && abs(b - brier) < 1e-9)

        // CSV, JSON and the terminal table say the same.
        let csv = CSVText.rows(document.csv()).filter { $0.count > 1 }
        #expect(csv[0] == TrackDocument.columns)
        #expect(csv.filter { $0[0] == "backtest" }.count == backtests.count)
        #expect(document.table().contains("【回测】") && document.table().contains("专精特新贷"))
        let workbook = folder + "/track.xlsx"
        try Data(try document.bytes(.xlsx)).write(to: URL(fileURLWithPath: workbook))
        let sheets = try runPythonJSON(root: ScoreRankCommandTests.root, script: "Tests/Excel/read_xlsx.py", [workbook])["sheets"] as? [[String: Any]] ?? []
        #expect(sheets.map { $0["name"] as? String } == ["年度变化", "回测", "概率上升", "概率下降", "需核对"])
        #expect(((sheets.first { $0["name"] as? String == "回测" }?["rows"] as? [Any])?.count ?? 0) == backtests.count + 1)
    }

    @Test("Inconsistent histories: the same firm and year twice is refused naming both lines, one year is refused; a changed founding year and a listed firm unlisted later are flagged")
    func inconsistencies() throws {
        let folder = try ScoreRankCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (_, header, byYear) = try Self.panel(folder)
        let column = { (name: String) in header.firstIndex(of: name)! }
        func write(_ rows: [[String]], _ name: String) throws -> String {
            let path = folder + "/" + name
            try Data(([header] + rows).map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let y22 = Array(byYear[2022]!.prefix(200)), y23 = Array(byYear[2023]!.prefix(200))
        let twice = try write(y22 + y23 + [y23[3]], "twice.csv")
        let message = failureMessage(Track.self) { try Track.parse(["--history", twice, "--model", Self.model, "--quiet", "--output", folder + "/t.json"]).run() }
        #expect(message?.contains("twice.csv:\(2 + y22.count + y23.count)") == true && message?.contains("on line \(2 + y22.count + 3) too") == true, "\(message ?? "")")
        let one = try write(y22, "one.csv")
        #expect(failureMessage(Track.self) { try Track.parse(["--history", one, "--model", Self.model, "--quiet", "--output", folder + "/t.json"]).run() }?
            .contains("holds only fiscal year 2022") == true)
        // A founding year changed and a listing undone, for two firms present in both years.
        var later = y23
        let shared = later.indices.filter { i in y22.contains { $0[0] == later[i][0] } }
        later[shared[0]][column("founding_year")] = String(Int(later[shared[0]][column("founding_year")])! - 1)
        var earlier = y22
        let listed = earlier.firstIndex { $0[0] == later[shared[1]][0] }!
        earlier[listed][column("listed_board")] = "star"
        earlier[listed][column("company_form")] = "joint_stock"
        earlier[listed][column("neeq_status")] = "not_quoted"
        earlier[listed][column("neeq_months")] = "0"
        let flagged = try write(earlier + later, "flagged.csv")
        let document = try TrackUseCase.track(path: flagged, modelPath: Self.model, movers: 0)
        let flags = document.track.flags.map(\.message)
        #expect(flags.contains { $0.hasPrefix("founding_year") } && flags.contains { $0.hasPrefix("listed (star) in 2022, not listed in 2023") }, "\(flags)")
        #expect(document.track.flags.allSatisfy { $0.line > 1 })
    }
}
