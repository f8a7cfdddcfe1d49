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
        #expect(back.catalog.offers.map(\.id) == WorldModel.productIds)
        #expect(abs(back.scaling.points(logit: log(50)) - 600) < 1e-9)
        #expect(throws: ModelFileError.exists(path: a)) { try model.write(to: a, overwrite: false) }
    }

    @Test("On unseen firms the learnt loans rank nearly as well as the true probabilities")
    func learnsTheWorld() throws {
        let (model, _) = try pipeline().train(path: try pool(seed: 41, count: 12_000))
        // Fresh firms: score them and compare AUC with the oracle's (truth_<id>) on the same labels.
        let test = try pool(seed: 42, count: 6_000)
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
            // the way: measured 76–91% of the oracle's lift above 0.5 (patent_loan lowest, project_loan highest).
            #expect(learnt > 0.5 + 0.7 * (best - 0.5), "\(id): learnt AUC \(learnt), oracle \(best)")
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
    }
}

/// The shipped pool retrained on this machine, once for the suite.
enum RetrainedDefaultModel {
    static var pipeline: TrainingPipeline {
        TrainingPipeline(spec: try! FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"), catalog: shippedCatalog, asOf: assessmentDay)
    }
    static let model: TrainedModel = try! pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv").0
}

@Suite("The shipped default model")
struct ShippedModelTests {
    /// Walks two model documents side by side: every string, flag and structure equal; weights
    /// and intercepts within `weightTolerance` of their product's largest weight; metrics within
    /// 1e-9 (iteration counts within 2). Returns the worst relative weight difference.
    static func compare(_ a: JSONValue, _ b: JSONValue, path: String = "", weightScale: Double? = nil,
                        weightTolerance: Double, worst: inout Double) {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            #expect(x.keys == y.keys, "\(path): keys differ")
            var scale = weightScale
            if case .array(let w)? = x["weights"], case .number(let intercept)? = x["intercept"] {
                scale = w.reduce(abs(intercept)) { if case .number(let v) = $1 { max($0, abs(v)) } else { $0 } }
            }
            for key in x.keys {
                guard let u = x[key], let v = y[key] else { continue }
                compare(u, v, path: path + "." + key, weightScale: scale, weightTolerance: weightTolerance, worst: &worst)
            }
        case (.array(let x), .array(let y)):
            #expect(x.count == y.count, "\(path): lengths differ")
            for (i, (u, v)) in zip(x, y).enumerated() {
                compare(u, v, path: path + "[\(i)]", weightScale: weightScale, weightTolerance: weightTolerance, worst: &worst)
            }
        case (.number(let u), .number(let v)):
            if path.hasPrefix(".products"), let scale = weightScale {
                let difference = abs(u - v) / scale
                worst = max(worst, difference)
                #expect(difference <= weightTolerance, "\(path): \(u) against \(v)")
            } else if path.hasPrefix(".metrics") {
                #expect(path.hasSuffix(".iterations") ? abs(u - v) <= 2 : abs(u - v) <= 1e-9, "\(path): \(u) against \(v)")
            } else {
                #expect(u == v, "\(path): \(u) against \(v)")
            }
        default:
            #expect(a == b, "\(path): \(a) against \(b)")
        }
    }

    @Test("Retrained here, the shipped pool gives Models/default-model.json: weights to 1e-6 of each product's largest, probabilities to 1e-9, the rest equal")
    func shippedModelIsReproducible() throws {
        let path = repositoryRoot() + "/Models/default-model.json"
        let shipped = try TrainedModel.read(from: path)
        let retrained = RetrainedDefaultModel.model
        var worst = 0.0
        Self.compare(retrained.encode(), try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))),
                     weightTolerance: 1e-6, worst: &worst)
        // Newton lands on the optimum; on the CPUs tried the worst difference was about 1e-13.
        #expect(worst <= 1e-6)
        // Probabilities of every enterprise and offer of the pool, both models.
        let a = try OfferScorer(model: shipped, asOf: assessmentDay), b = try OfferScorer(model: retrained, asOf: assessmentDay)
        let reader = try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv")
        var rows = 0, worstProbability = 0.0
        while let chunk = try reader.nextChunk() {
            let x = a.score(chunk, firstRow: rows), y = b.score(chunk, firstRow: rows)
            for i in 0..<chunk.rowCount {
                for p in 0..<x.logits.columns {
                    worstProbability = max(worstProbability, abs(Sigmoid.probability(x.logits[i, p]) - Sigmoid.probability(y.logits[i, p])))
                }
            }
            rows += chunk.rowCount
        }
        #expect(rows == 20_000)
        #expect(worstProbability <= 1e-9, "worst probability difference \(worstProbability)")
    }

    @Test("Training with the features in a memory-mapped file gives the same model as in memory, byte for byte")
    func mappedFeaturesSameModel() throws {
        var pipeline = RetrainedDefaultModel.pipeline
        let folder = temporaryFolder()
        pipeline.inMemoryFeatureBytes = 0
        pipeline.temporaryFolder = folder
        let (model, _) = try pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv")
        #expect(model.encode().prettyPrinted() == RetrainedDefaultModel.model.encode().prettyPrinted())
        // The temporary feature file was unlinked when made: the folder is empty.
        #expect(contentsOfFolder(folder) == [])
    }

    @Test("Training reads the same model whatever the chunk size, byte for byte")
    func chunkSizeSameModel() throws {
        var reading = ReaderOptions()
        reading.chunkRows = 777
        let (model, _) = try RetrainedDefaultModel.pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv", reading: reading)
        #expect(model.encode().prettyPrinted() == RetrainedDefaultModel.model.encode().prettyPrinted())
    }
}

@Suite("FeatureStore")
struct FeatureStoreTests {
    @Test("A mapped store holds what is written, like an in-memory one", arguments: [false, true])
    func roundTrip(mapped: Bool) throws {
        var rng = SplitMix64(seed: 3)
        let block = Matrix<Double>(rows: 300, columns: 7, elements: (0..<2_100).map { _ in rng.normal() })
        let store = mapped ? try FeatureStore(rows: 600, columns: 7, mappedIn: temporaryFolder()) : FeatureStore(rows: 600, columns: 7)
        #expect(store.isMapped == mapped)
        store.setRows(300, from: block)
        for i in 0..<300 {
            for j in 0..<7 {
                #expect(store[i, j] == 0)
                #expect(store[300 + i, j] == block[i, j])
            }
        }
    }

    @Test("A folder that does not exist is refused with its path")
    func missingFolder() {
        do {
            _ = try FeatureStore(rows: 10, columns: 2, mappedIn: "/nonexistent-finrec-folder")
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "/nonexistent-finrec-folder")
        }
    }
}
