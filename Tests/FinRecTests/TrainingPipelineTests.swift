import FinRec
import Foundation
import Testing

@Suite("Training pipeline: labelled enterprises to a model file")
struct TrainingPipelineTests {
    func pipeline() throws -> TrainingPipeline {
        TrainingPipeline(spec: try FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"),
                         catalog: shippedCatalog, asOf: assessmentDay)
    }

    /// A labelled pool of `count` firms from `seed`, with truth columns.
    func pool(seed: UInt64, count: Int) throws -> String {
        let path = temporaryFolder() + "/pool-\(seed).csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: seed), withTruth: true).write(count: count, to: path)
        return path
    }

    @Test("Training twice gives byte-identical model files, and the file reads back whole")
    func reproducibleAndReadable() throws {
        let data = try pool(seed: 31, count: 4_000)
        let (model, summary) = try pipeline().train(path: data)
        let a = temporaryFolder() + "/a.json", b = temporaryFolder() + "/b.json"
        try model.write(to: a, overwrite: false)
        try pipeline().train(path: data).0.write(to: b, overwrite: false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(summary.rows == 4_000)
        let back = try TrainedModel.read(from: a)
        #expect(back.linear == model.linear)
        #expect(back.features.columnNames == model.features.columnNames)
        #expect(back.catalog.offers.map(\.id) == shippedCatalog.offers.map(\.id))
        #expect(back.linear.products.map(\.id) == WorldModel.productIds)
        #expect(abs(back.scaling.points(logit: log(50)) - 600) < 1e-9)
        #expect(throws: ModelFileError.exists(path: a)) { try model.write(to: a, overwrite: false) }
    }

    @Test("On unseen firms the learnt loans rank nearly as well as the true probabilities")
    func learnsTheWorld() throws {
        // 30,000 firms: the bridge loan and 新三板 need a maturing loan or a joint-stock company, so
        // only about one firm in eight has a label for them (about 1,200 rows each), and C = 0.1
        // (not 1) suits so few rows for some 90 columns.
        var trainer = try pipeline()
        trainer.options.c = 0.1
        let (model, _) = try trainer.train(path: try pool(seed: 41, count: 30_000))
        // Fresh firms: score them and compare AUC with the oracle's (truth_<id>) on the same labels.
        let test = try pool(seed: 42, count: 40_000)
        let reader = try CSVRecordReader(path: test, schema: EnterpriseSchema.schema)
        var ours = [String: [Double]](), oracle = [String: [Double]](), outcomes = [String: [Double]]()
        let parameters = ["as_of_date": Double(assessmentDay)]
        let evaluator = try EligibilityEvaluator(catalog: shippedCatalog)
        while let chunk = try reader.nextChunk() {
            let logits = LinearScorer<Double>(model: model.linear).logits(for: model.features.apply(chunk, parameters: parameters))
            let eligibility = evaluator.evaluate(chunk, asOf: assessmentDay)
            for (p, product) in model.linear.products.enumerated() {
                let k = shippedCatalog.offers.firstIndex { $0.id == product.id }!
                let labels = chunk.extra(chunk.extraNames.firstIndex(of: "label_" + product.id)!)
                let truth = chunk.extra(chunk.extraNames.firstIndex(of: "truth_" + product.id)!)
                for r in 0..<chunk.rowCount where labels[r] != nil && eligibility.status(offer: k, row: r) != .fail {
                    ours[product.id, default: []].append(Sigmoid.probability(logits[r, p]))
                    oracle[product.id, default: []].append(Double(truth[r]!)!)
                    outcomes[product.id, default: []].append(Double(labels[r]!)!)
                }
            }
        }
        for id in ["srdi_loan", "patent_loan", "project_loan", "emergency_loan", "neeq", "regional_board"] {
            let learnt = BinaryMetrics(probabilities: ours[id]!, labels: outcomes[id]!).auc
            let best = BinaryMetrics(probabilities: oracle[id]!, labels: outcomes[id]!).auc
            // A linear model cannot reach the oracle (non-linear world, latent quality) but gets most of
            // the way: on 80,000 unseen firms, 73–90% of the oracle's lift above 0.5 (新三板 lowest, from
            // 1,895 labelled rows; 中长期项目贷 highest). Here 新三板 has about 950 labelled rows, whose AUC
            // has a standard error near 0.02, hence the margin below the lowest measured share.
            #expect(learnt > 0.5 + 0.65 * (best - 0.5), "\(id): learnt AUC \(learnt), oracle \(best)")
            #expect(learnt <= best + 0.02, "\(id): learnt AUC \(learnt) beats the oracle \(best)?")
        }
    }

    @Test("A file without label columns, or with a bad label, is refused with what to do")
    func badLabels() throws {
        let unlabelled = writeTemporary(EnterpriseCSV().text([EnterpriseCSV.row(0)])).path
        do {
            _ = try pipeline().train(path: unlabelled)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("no label columns; add a column (1 success, 0 failure, empty when not applied) named one of label_srdi_loan"))
        }
        var labelled = EnterpriseCSV()
        labelled.columns.append("label_srdi_loan")
        let bad = writeTemporary(labelled.text([EnterpriseCSV.row(0) + ["1"], EnterpriseCSV.row(1) + ["yes"]])).path
        do {
            _ = try pipeline().train(path: bad)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasSuffix(":3 (label_srdi_loan): \"yes\" is not a label; write 1 (success), 0 (failure) or leave it empty (did not apply)"))
        }
        // Evaluation reads labels with the same parser: the label training refuses is refused, not skipped.
        let model = try TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")
        do {
            _ = try ModelEvaluation.evaluate(model: model, path: bad, asOf: assessmentDay)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasSuffix(":3 (label_srdi_loan): \"yes\" is not a label; write 1 (success), 0 (failure) or leave it empty (did not apply)"), "\(error)")
        }
    }
}
