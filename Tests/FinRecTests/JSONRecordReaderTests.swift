import FinRec
import Foundation
import Testing

@Suite("Enterprise JSON reader: object, array, JSON Lines")
struct JSONRecordReaderTests {
    let id0 = EnterpriseCSV.validIds[0], id1 = EnterpriseCSV.validIds[1]

    func read(_ text: String, options: ReaderOptions = ReaderOptions()) throws -> (RecordChunk, ReadReport) {
        try JSONRecordReader.parse(Array(text.utf8), path: "a.json", schema: EnterpriseSchema.schema, options: options)
    }

    func failure(_ text: String) -> String? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("One applicant object with Chinese keys, strings and JSON numbers")
    func singleObject() throws {
        let (chunk, report) = try read("""
            {"统一社会信用代码": "\(id0)", "营业收入": 12000, "研发费用": "600", "资质等级": "小巨人",
             "高新技术企业": true, "细分市场占有率": "15%", "客户经理": "王明", "net_profit_y1": null}
            """)
        #expect(chunk.rowCount == 1 && report.rowsAccepted == 1)
        #expect(chunk.numeric("revenue_y1")[0] == 12000 && chunk.numeric("rd_expense_y1")[0] == 600)
        #expect(chunk.numeric("certification_tier")[0] == 3)
        #expect(chunk.numeric("high_tech_enterprise")[0] == 1)
        #expect(chunk.numeric("niche_market_share")[0].map { abs($0 - 0.15) < 1e-15 } == true)
        #expect(chunk.numeric("net_profit_y1")[0] == nil)
        #expect(report.unknownColumns == ["客户经理"] && chunk.extra(0).values == ["王明"])
    }

    @Test("An array and the same records as JSON Lines read the same")
    func arrayAndLines() throws {
        let a = "{\"enterprise_id\": \"\(id0)\", \"revenue_y1\": 1}"
        let b = "{\"enterprise_id\": \"\(id1)\", \"revenue_y1\": 2}"
        let (array, _) = try read("[\(a),\n\(b)]")
        let (lines, _) = try read("\(a)\n\n\(b)\n")
        #expect(array.ids == [id0, id1] && lines.ids == [id0, id1])
        #expect(array.numeric("revenue_y1") == lines.numeric("revenue_y1"))
        #expect(lines.lines == [1, 3])
    }

    @Test("Errors name the record and the field", arguments: [
        ("[{\"enterprise_id\": \"E1\"}]", "record 1: \"E1\" is not a valid unified social credit code"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"employees\": 1.5}", "(employees): 1.5 is not a whole number"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"revenue_y1\": -3}", "(revenue_y1): -3.0 is outside the allowed range"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"high_tech_enterprise\": 2}", "(high_tech_enterprise): 2.0 is not a yes/no value"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\", \"营业收入\": 1, \"revenue_y1\": 2}", "both name revenue_y1"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{\"enterprise_id\": 5}", "a.json:2 (enterprise_id): a number is not an 18-character"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{\"enterprise_id\": \"91370100MA3C5YQ12D\"}", "a.json:2 (enterprise_id): the id 91370100MA3C5YQ12D appears in an earlier record"),
        ("{\"enterprise_id\": \"91370100MA3C5YQ12D\"}\n{oops}", "a.json:2:2: expected a member name"),
        ("{\"enterprise_id\": ", "a.json:1:19: the file ends where a value was expected"),
        ("[1, 2]", "record 1: expected an object"),
        ("\"x\"", "expected an applicant object"),
    ])
    func errors(text: String, expected: String) throws {
        let message = try #require(failure(text))
        #expect(message.contains(expected), "\(message)")
    }
}

@Suite("Synthetic enterprises and labels")
struct SyntheticTests {
    @Test("The same seed gives the same firms in any order; another seed gives others")
    func determinism() {
        let a = SyntheticDataset(generator: EnterpriseGenerator(seed: 1), withTruth: true)
        let b = SyntheticDataset(generator: EnterpriseGenerator(seed: 1), withTruth: true)
        let c = SyntheticDataset(generator: EnterpriseGenerator(seed: 2), withTruth: true)
        let forward = (0..<200).map { a.row($0) }
        let backward = (0..<200).reversed().map { b.row($0) }.reversed()
        #expect(forward == Array(backward))
        #expect((0..<200).filter { a.row($0) == c.row($0) }.isEmpty)
    }

    @Test("The file is byte-identical on one or two threads")
    func threadIndependence() throws {
        let dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: 3), withTruth: true)
        let one = temporaryFolder() + "/a.csv", two = temporaryFolder() + "/b.csv"
        try dataset.write(count: 10_000, to: one, threads: .singleThreaded)
        try dataset.write(count: 10_000, to: two, threads: ThreadPolicy(workers: 2))
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) == Data(contentsOf: URL(fileURLWithPath: two)))
    }

    @Test("Generated files pass the reader's validation with no rejects")
    func generatedFilesAreValid() throws {
        let path = temporaryFolder() + "/pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 4), withTruth: true).write(count: 5_000, to: path)
        let reader = try CSVRecordReader(path: path, schema: EnterpriseSchema.schema)
        _ = try reader.readAll()
        let report = try reader.finish()
        #expect(report.rowsAccepted == 5_000 && report.rowsRejected == 0)
        #expect(report.unknownColumns.count == 20)
        #expect(report.absentFields.isEmpty)
    }

    @Test("A firm that breaks an offer's rule never has a positive label for it")
    func labelsRespectRules() {
        let dataset = SyntheticDataset(generator: EnterpriseGenerator(seed: 6), withTruth: true)
        let firstLabel = EnterpriseSchema.fields.count
        var positives = [Int](repeating: 0, count: WorldModel.productIds.count)
        for i in 0..<20_000 {
            let row = dataset.row(i)
            let firm = dataset.generator.firm(i)
            for k in WorldModel.productIds.indices where row[firstLabel + k] == "1" {
                positives[k] += 1
                #expect(WorldModel.eligible(firm, product: k), "firm \(i) has a success for \(WorldModel.productIds[k]) it is not eligible for")
            }
        }
        // Every offer has successes to learn from.
        #expect(positives.allSatisfy { $0 >= 10 }, "\(positives)")
    }
}

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
        #expect(tiers[0] == 0)
        #expect(abs(Double(tiers[1]) / n - 0.5) < 0.015)
        #expect(abs(Double(tiers[2]) / n - 0.4625) < 0.015)
        #expect(abs(Double(tiers[3]) / n - 0.0375) < 0.005)
        #expect(abs(lg.rd / lg.n - 0.07) < 0.005, "little-giant R&D intensity \(lg.rd / lg.n)")
        #expect((17...22).contains(lg.patents / lg.n), "little-giant invention patents \(lg.patents / lg.n)")
        #expect((230...280).contains(lg.employees / lg.n), "little-giant employees \(lg.employees / lg.n)")
        #expect((11.5...14.5).contains(lg.age / lg.n), "little-giant age \(lg.age / lg.n)")
        #expect(lg.revenue / lg.n <= 33_000, "little-giant mean revenue \(lg.revenue / lg.n) above the 3.3亿 upper bound")
        #expect((1_000...1_600).contains(reserve), "listing reserve pool \(reserve)")
    }
}

@Suite("Shipped datasets")
struct ShippedDatasetTests {
    @Test("DATASET.md's column table is the schema's own table")
    func datasetDocMatchesSchema() throws {
        let doc = try String(contentsOfFile: repositoryRoot() + "/Datasets/DATASET.md", encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- schema:begin -->\n"))
        let end = try #require(doc.range(of: "<!-- schema:end -->"))
        #expect(String(doc[begin.upperBound..<end.lowerBound]) == EnterpriseSchema.schema.markdownTable())
    }

    @Test("The shipped pool is what the documented command generates, and reads without rejects")
    func shippedPoolIsReproducible() throws {
        let path = temporaryFolder() + "/pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 2022, fiscalYear: 2025), withTruth: true).write(count: 20_000, to: path)
        let shipped = repositoryRoot() + "/Datasets/shandong-pool.csv"
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: shipped)))
        let reader = try CSVRecordReader(path: shipped, schema: EnterpriseSchema.schema)
        _ = try reader.readAll()
        #expect(try reader.finish().rowsAccepted == 20_000)
    }

    @Test("Every example applicant reads", arguments: ["little-giant", "neeq-innovation-tier", "provincial-srdi",
                                                      "innovative-sme", "no-certification", "credit-problem", "missing-fields"])
    func applicantsRead(name: String) throws {
        let (chunk, report) = try JSONRecordReader.read(path: repositoryRoot() + "/Datasets/applicants/\(name).json", schema: EnterpriseSchema.schema)
        #expect(chunk.rowCount == 1 && report.rowsRejected == 0 && report.unknownColumns.isEmpty)
    }
}
