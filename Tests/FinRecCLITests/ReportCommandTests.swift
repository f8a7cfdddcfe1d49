import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec report, opened in a real browser")
struct ReportCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs Tests/Browser/check_page.py on `page` in headless chromium; its JSON report.
    static func openInBrowser(_ page: String, screenshot: String, root: String) throws -> [String: Any] {
        try runPythonJSON(root: root, script: "Tests/Browser/check_page.py", [page, screenshot])
    }

    @Test("The report is one file that loads nothing, every chart renders with all its series, and the screenshot is not blank")
    func rendersInChromium() throws {
        let dir = try folder()
        let data = dir + "/data.csv", baseline = dir + "/baseline.csv", page = dir + "/report.html"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 71), withTruth: false).write(count: 6_000, to: data)
        var shifted = EnterpriseGenerator(seed: 72)
        shifted.shift = .init(netMargin: 0.04)
        try SyntheticDataset(generator: shifted, withTruth: false).write(count: 6_000, to: baseline)
        // A plan sized for 6,000 firms: its section and its chart of expected successes against the target.
        let plan = dir + "/plan.json"
        let planText = PlanUseCase.exampleDocument.replacingOccurrences(of: "\"capacity\": 1000", with: "\"capacity\": 200")
            .replacingOccurrences(of: "\"capacity\": 400", with: "\"capacity\": 100").replacingOccurrences(of: "{\"min\": 80}", with: "{\"min\": 20}")
            .replacingOccurrences(of: "\"target\": 80", with: "\"target\": 30")
        try Data(planText.utf8).write(to: URL(fileURLWithPath: plan))
        // A two-year panel: the backtest section and a chart per year.
        let history = dir + "/panel.csv"
        try SyntheticPanel(seed: 73, years: 2022...2023, count: 3_000, withTruth: false).write(to: history)
        try Report.parse(["--model", root + "/Models/default-model.json", "--data", data, "--baseline", baseline, "--plan", plan, "--history", history,
                          "--output", page]).run()

        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=\"http"), "nothing to load")
        let model = try TrainedModel.read(from: root + "/Models/default-model.json")
        for product in model.linear.products { #expect(html.contains(product.chineseName), "\(product.id) named in Chinese") }

        let shot = dir + "/report.png"
        let result = try Self.openInBrowser(page, screenshot: shot, root: root)
        #expect((result["title"] as? String)?.contains("模型报告") == true)
        let charts = result["charts"] as? [[String: Any]] ?? []
        #expect(html.contains("上市后备资源库") && html.contains("新增上市企业") && html.contains(PlanDocument.horizonNote))
        #expect(html.contains("跟踪 track") && html.contains(TrackDocument.horizonNote))
        var expected = Set(["psi-scores", "csi-features", "plan-forecast", "track-2022", "track-2023"])
        for id in model.linear.products.map(\.id) { expected.formUnion(["roc-", "ks-", "calibration-", "distribution-", "iv-"].map { $0 + id }) }
        #expect(Set(charts.compactMap { $0["id"] as? String }) == expected)
        for chart in charts {
            let id = chart["id"] as? String ?? "?"
            #expect((chart["width"] as? Double ?? 0) > 100 && (chart["height"] as? Double ?? 0) > 100, "\(id) has a size")
            #expect((chart["series"] as? Int ?? 0) >= 1 && chart["drawn"] as? Int == chart["series"] as? Int, "every series of \(id) drew: \(chart)")
        }
        #expect((result["resources"] as? [Any])?.isEmpty == true, "no request: \(result["resources"] ?? "")")
        #expect((result["console"] as? [Any])?.isEmpty == true, "no browser error: \(result["console"] ?? "")")
        let screenshot = result["screenshot"] as? [String: Any] ?? [:]
        #expect((screenshot["height"] as? Int ?? 0) > 3_000, "the whole page")
        #expect((screenshot["colours"] as? Int ?? 0) > 50 && (screenshot["ink"] as? Double ?? 0) > 0.05, "not blank: \(screenshot)")
    }
}
