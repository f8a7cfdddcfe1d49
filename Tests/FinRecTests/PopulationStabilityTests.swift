import FinRec
import Foundation
import Testing

@Suite("Drift monitoring: PSI and CSI")
struct PopulationStabilityTests {
    func pool(_ name: String, seed: UInt64, count: Int, shift: EnterpriseGenerator.PopulationShift = .init()) throws -> String {
        let path = temporaryFolder() + "/\(name).csv"
        var generator = EnterpriseGenerator(seed: seed)
        generator.shift = shift
        try SyntheticDataset(generator: generator, withTruth: false).write(count: count, to: path)
        return path
    }

    @Test("A shift changes only the shifted fields of each firm")
    func shiftKeepsTheFirm() {
        let plain = EnterpriseGenerator(seed: 3)
        var shifted = plain
        shifted.shift = .init(netMargin: -0.05)
        for i in 0..<200 {
            let a = plain.firm(i), b = shifted.firm(i)
            #expect(a.id == b.id && a.tier == b.tier && a.revenue == b.revenue && a.totalLiabilities == b.totalLiabilities)
            #expect(Array(a.netProfit.dropFirst()) == Array(b.netProfit.dropFirst()))
            // Amounts are rounded to 0.01 万元.
            #expect(abs(b.netProfit[0] - (a.netProfit[0] - 0.05 * a.revenue[0])) <= 0.0101)
        }
    }

    @Test("PSI and CSI equal the definition counted by brute force; no drift stays near its no-drift level; a downturn is flagged where it hits")
    func driftIsFound() throws {
        let model = try TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")
        let baseline = try pool("base", seed: 61, count: 8_000)
        let same = try pool("same", seed: 62, count: 8_000)
        let down = try pool("down", seed: 62, count: 8_000, shift: .init(netMargin: -0.06, revenueGrowth: -0.1))
        let calm = try PopulationStability.measure(model: model, baseline: baseline, data: same, asOf: assessmentDay)
        let drift = try PopulationStability.measure(model: model, baseline: baseline, data: down, asOf: assessmentDay)

        // The definition, on the debt ratio's bins as reported: shares of the raw values between
        // the labelled edges, counted by filtering every row.
        func values(_ path: String) throws -> [Double?] {
            let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let header = text[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let l = header.firstIndex(of: "total_liabilities")!, a = header.firstIndex(of: "total_assets")!
            return text.dropFirst().map { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                guard let x = Double(cells[l]), let y = Double(cells[a]), y != 0 else { return nil }
                return x / y
            }
        }
        let entry = try #require(drift.features.first { $0.id == "debt_ratio" })
        let cuts = try #require(entry.bins?.cuts)
        func shares(_ v: [Double?]) -> [Double] {
            let edges = [-Double.infinity] + cuts + [.infinity]
            var counts = (0..<(edges.count - 1)).map { k in Double(v.filter { $0.map { $0 >= edges[k] && $0 < edges[k + 1] } ?? false }.count) }
            counts.append(Double(v.filter { $0 == nil }.count))
            return counts
        }
        let expected = shares(try values(baseline)), actual = shares(try values(down))
        #expect(expected == entry.expected && actual == entry.actual, "bin counts")
        let e = expected.reduce(0, +), a = actual.reduce(0, +)
        var psi = 0.0
        for k in expected.indices where expected[k] + actual[k] > 0 {
            let p = max(expected[k], 0.5) / e, q = max(actual[k], 0.5) / a
            psi += (q - p) * log(q / p)
        }
        #expect(abs(psi - entry.index) < 1e-12)

        // Without drift every index is noise: within a few times its no-drift level.
        for x in calm.scores + calm.features {
            #expect(x.index < 4 * x.noDriftLevel + 0.01, "\(x.id): PSI \(x.index) with no drift (no-drift level \(x.noDriftLevel))")
        }
        // The downturn: profit and growth features act; untouched ones stay stable; loan points fall.
        for name in ["net_margin", "revenue_growth_1y", "roe"] {
            #expect(drift.features.first { $0.id == name }!.band == .act, "\(name)")
        }
        for name in ["rd_staff_share", "log_assets", "debt_ratio", "log_employees"] {
            #expect(drift.features.first { $0.id == name }!.band == .stable, "\(name)")
        }
        let loans = drift.scores.filter { ["srdi_loan", "project_loan"].contains($0.id) }
        #expect(loans.allSatisfy { $0.meanActual! < $0.meanExpected! - 3 && $0.band != .stable })
    }
}
