import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec bins, scorecard, monitor and evaluate --gains, end to end")
struct ToolkitCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-toolkit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func object(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    @Test("bins --data: each bin's rows equal a count over the file by the printed cut points")
    func binsOnData() throws {
        let dir = try folder(), out = dir + "/bins.json", pool = root + "/Datasets/shandong-pool.csv"
        try Bins.parse(["--data", pool, "--spec", root + "/Models/features.json", "--catalog", root + "/Models/catalog.json",
                        "--product", "srdi_loan", "--output", out]).run()
        let json = try object(out)
        #expect(json["format"] as? String == "finrec-bins")
        let products = json["products"] as? [[String: Any]] ?? []
        #expect(products.map { $0["id"] as? String } == ["srdi_loan"])
        let features = products.first?["features"] as? [[String: Any]] ?? []
        #expect(features.count >= 30, "every numeric feature is binned")
        let ivs = features.compactMap { $0["iv"] as? Double }
        #expect(ivs == ivs.sorted(by: >), "largest IV first")
        // The debt ratio, counted by hand: rows per bin of total_liabilities / total_assets.
        let debt = try #require(features.first { $0["name"] as? String == "debt_ratio" })
        let cuts = debt["cuts"] as? [Double] ?? []
        let bins = debt["bins"] as? [[String: Any]] ?? []
        let lines = try String(contentsOfFile: pool, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let l = header.firstIndex(of: "total_liabilities")!, a = header.firstIndex(of: "total_assets")!
        var rows = [Double](repeating: 0, count: cuts.count + 2)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let x = Double(cells[l]), let y = Double(cells[a]), y != 0 else { rows[cuts.count + 1] += 1; continue }
            rows[cuts.filter { $0 <= x / y }.count] += 1
        }
        #expect(bins.map { $0["rows"] as? Double ?? -1 } == rows)
        #expect(rows.reduce(0, +) == 20_000)
    }

    @Test("bins refuses a model without bins and ambiguous sources, with what to do")
    func binsRefusals() {
        let noBins = failureMessage(Bins.self) { try Bins.parse(["--model", root + "/Models/default-model.json"]).run() }
        #expect(noBins?.contains("has no binned features") == true && noBins?.contains("--data") == true)
        let both = failureMessage(Bins.self) { _ = try Bins.parse(["--model", "m.json", "--data", "d.csv"]) }
        #expect(both?.contains("either --model") == true)
        let unknown = failureMessage(Bins.self) {
            try Bins.parse(["--data", root + "/Datasets/shandong-pool.csv", "--spec", root + "/Models/features.json", "--product", "nope"]).run()
        }
        #expect(unknown?.contains("no offer 'nope'") == true)
    }

    @Test("scorecard writes every offer's table atomically, base row first, Chinese names")
    func scorecardFile() throws {
        let dir = try folder(), out = dir + "/card.csv"
        try Scorecard.parse(["--model", root + "/Models/default-model.json", "--output", out]).run()
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "product_id,product_zh,feature,feature_zh,kind,bin,lower,upper,points,slope,transform")
        #expect(lines[1].hasPrefix("srdi_loan,专精特新贷,(base),基础分,base"))
        let model = try TrainedModel.read(from: root + "/Models/default-model.json")
        #expect(lines.filter { $0.contains(",base,") }.count == model.linear.products.count)
        #expect(contentsOfFolder(dir) == ["card.csv"], "no temporary file left")
    }

    @Test("monitor: JSON with a PSI per offer and a CSI per feature; standard input refused")
    func monitorJSON() throws {
        let dir = try folder(), out = dir + "/drift.json", pool = root + "/Datasets/shandong-pool.csv"
        try Monitor.parse(["--baseline", pool, "--data", pool, "--output", out]).run()
        let json = try object(out)
        let scores = json["scores"] as? [[String: Any]] ?? [], features = json["features"] as? [[String: Any]] ?? []
        #expect(scores.count == 15 && features.count == 43)
        #expect((scores + features).allSatisfy { ($0["psi"] ?? $0["csi"]) as? Double == 0 && $0["band"] as? String == "stable" }, "a population against itself")
        let stdin = failureMessage(Monitor.self) { try Monitor.parse(["--baseline", "-", "--data", pool]).run() }
        #expect(stdin?.contains("standard input") == true)
    }

    @Test("evaluate --gains: ten bands per offer whose last cumulative row is every counted row")
    func gainsJSON() throws {
        let text = try Evaluate.parse(["--data", root + "/Datasets/shandong-pool.csv", "--model", root + "/Models/default-model.json",
                                       "--gains", "--format", "json"]).render()
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let products = (json["model"] as? [String: Any])?["products"] as? [[String: Any]] ?? []
        #expect(products.count == 15)
        for p in products {
            let gains = p["gains"] as? [[String: Any]] ?? []
            #expect((2...10).contains(gains.count), "\(p["id"] ?? "")")
            #expect(gains.last?["cumulative_rows"] as? Double == p["rows"] as? Double)
            #expect(abs((gains.last?["approval_rate"] as? Double ?? 0) - 1) < 1e-12)
        }
    }
}
