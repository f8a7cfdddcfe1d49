import FinRec
import Foundation
import Testing

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
        // A label and a truth column for each of the 15 modelled offers.
        #expect(report.unknownColumns.count == 30)
        #expect(report.absentFields.isEmpty)
    }

    @Test("A firm that the catalog's rules rule out of an offer never has a success for it (the world model against the rule engine)")
    func labelsRespectRules() throws {
        // The labels come from the world model's own eligibility; the check is the catalog's
        // rule engine on the written file, an independent implementation of the same rules.
        let path = temporaryFolder() + "/labelled.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 6), withTruth: true).write(count: 20_000, to: path)
        let evaluator = try EligibilityEvaluator(catalog: shippedCatalog)
        let reader = try EnterpriseFileReader(path: path)
        var positives = [String: Int](), contradictions: [String] = []
        while let chunk = try reader.nextChunk() {
            let eligibility = evaluator.evaluate(chunk, asOf: assessmentDay)
            for (k, offer) in shippedCatalog.offers.enumerated() {
                guard let column = chunk.extraNames.firstIndex(of: "label_" + offer.id) else { continue }
                let labels = chunk.extra(column)
                for r in 0..<chunk.rowCount where labels[r] == "1" {
                    positives[offer.id, default: 0] += 1
                    if eligibility.status(offer: k, row: r) == .fail { contradictions.append("\(offer.id) line \(chunk.lines[r])") }
                }
            }
        }
        #expect(contradictions.isEmpty, "\(contradictions.count) successes the rules forbid, e.g. \(contradictions.prefix(5))")
        // Every offer of the world model has successes to learn from (新三板创新层 and the tiers are
        // rule-only offers: no labels).
        #expect(positives.keys.sorted() == WorldModel.productIds.sorted() && positives.values.allSatisfy { $0 >= 10 }, "\(positives)")
    }
}
