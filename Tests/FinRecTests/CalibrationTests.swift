import FinRec
import Foundation
import Testing

@Suite("Synthetic population matches its calibration targets")
struct CalibrationTests {
    /// Reads a generated pool of 20,000 back through the CSV reader and checks DATASET.md's targets.
    @Test("Tier mix, little-giant profile, reserve pool and rule floors")
    func calibration() throws {
        let path = temporaryFolder() + "/pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 2022), withTruth: false).write(count: 20_000, to: path)
        let reader = try CSVRecordReader(path: path, schema: EnterpriseSchema.schema)
        var tiers = [Int](repeating: 0, count: 4)
        var lg = (n: 0.0, rd: 0.0, patents: 0.0, employees: 0.0, age: 0.0, revenue: 0.0)
        var reserve = 0
        while let chunk = try reader.nextChunk() {
            let tier = chunk.numeric("certification_tier"), revenue = chunk.numeric("revenue_y1"), revenue2 = chunk.numeric("revenue_y2")
            let rd = chunk.numeric("rd_expense_y1"), rd2 = chunk.numeric("rd_expense_y2")
            let assets = chunk.numeric("total_assets"), liabilities = chunk.numeric("total_liabilities")
            for r in 0..<chunk.rowCount {
                let t = Int(tier[r]!)
                tiers[t] += 1
                if chunk.numeric("listing_reserve_pool")[r] == 1 { reserve += 1 }
                if t >= 2 {
                    // SRDI floors (2022): revenue ≥ 1000万 (or equity route), R&D ≥ 100万 and ≥ 3% of revenue.
                    #expect(revenue[r]! >= 1000)
                    #expect(rd[r]! >= 100 && rd[r]! >= 0.03 * revenue[r]! - 0.01)
                    if let r2 = rd2[r], let v2 = revenue2[r] { #expect(r2 >= 0.03 * v2 - 0.01) }
                }
                if t == 3 {
                    #expect(revenue[r]! >= 5000)
                    #expect(liabilities[r]! / assets[r]! <= 0.70 + 1e-6)
                    lg.n += 1
                    lg.rd += rd[r]! / revenue[r]!
                    lg.patents += chunk.numeric("invention_patents")[r]!
                    lg.employees += chunk.numeric("employees")[r]!
                    lg.age += 2025 - chunk.numeric("founding_year")[r]!
                    lg.revenue += revenue[r]!
                }
            }
        }
        let n = Double(tiers.reduce(0, +))
        #expect(n == 20_000)
        // The plan's pool (20,000 innovative, of which 10,000 provincial, of which 750 little
        // giants) beside 2,500 untiered candidates: 1/9, 4/9, 37/90 and 1/30 of the firms.
        #expect(abs(Double(tiers[0]) / n - 2_500.0 / 22_500) < 0.01)
        #expect(abs(Double(tiers[1]) / n - 10_000.0 / 22_500) < 0.015)
        #expect(abs(Double(tiers[2]) / n - 9_250.0 / 22_500) < 0.015)
        #expect(abs(Double(tiers[3]) / n - 750.0 / 22_500) < 0.005)
        #expect(abs(lg.rd / lg.n - 0.07) < 0.005, "little-giant R&D intensity \(lg.rd / lg.n)")
        #expect((17...22).contains(lg.patents / lg.n), "little-giant invention patents \(lg.patents / lg.n)")
        #expect((230...280).contains(lg.employees / lg.n), "little-giant employees \(lg.employees / lg.n)")
        #expect((11.5...14.5).contains(lg.age / lg.n), "little-giant age \(lg.age / lg.n)")
        #expect(lg.revenue / lg.n <= 33_000, "little-giant mean revenue \(lg.revenue / lg.n) above the 3.3亿 upper bound")
        #expect((1_000...1_600).contains(reserve), "listing reserve pool \(reserve)")
    }
}
