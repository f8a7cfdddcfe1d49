import FinRec
import Foundation
import Testing

/// The default model retrained on this machine, once for the suite: on its training history
/// (`finrec synth --count 150000 --seed 2023`, regenerated here: the generator is deterministic),
/// with each offer's C and Platt calibration as the shipped model's cross-validation chose and
/// fitted them (the selection itself, 35 fits, is outside the suite's budget; its out-of-fold
/// figures are carried over; PlattScalingTests checks the calibration's fit and folding).
enum RetrainedDefaultModel {
    static let shipped = try! TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")

    static var pipeline: TrainingPipeline {
        var pipeline = TrainingPipeline(spec: try! FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"), catalog: shippedCatalog,
                                        asOf: assessmentDay)
        pipeline.options.cPerProduct = shipped.metrics.products.map { $0.metrics.c! }
        pipeline.calibration = .given(Dictionary(uniqueKeysWithValues: shipped.metrics.products.compactMap { id, m in m.calibration.map { (id, $0) } }))
        // As the documented command declares it (`--data-origin synthetic`).
        pipeline.dataOrigin = .synthetic
        return pipeline
    }

    /// The training history, generated into a temporary folder under its documented name.
    static let history: String = {
        let path = temporaryFolder() + "/shandong-history.csv"
        try! SyntheticDataset(generator: EnterpriseGenerator(seed: 2023), withTruth: false).write(count: 150_000, to: path)
        return path
    }()

    /// As trained here, with the shipped model's cross-validation record.
    static let model: TrainedModel = {
        let retrained = try! pipeline.train(path: history).0
        var metrics = retrained.metrics, hyperparameters = retrained.hyperparameters
        for (id, m) in shipped.metrics.products {
            metrics[id]?.c = m.c
            metrics[id]?.crossValidation = m.crossValidation
        }
        hyperparameters.crossValidation = shipped.hyperparameters.crossValidation
        return TrainedModel(linear: retrained.linear, features: retrained.features, catalog: retrained.catalog, scaling: retrained.scaling,
                            metrics: metrics, hyperparameters: hyperparameters, provenance: retrained.provenance, uncertainty: retrained.uncertainty)
    }()

    /// The shipped pool trained with the same options: the reference of the memory-mapped and
    /// chunk-size tests.
    static let pool = try! pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv").0
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
        case (.string(let u), .string(let v)) where path.hasPrefix(".uncertainty.products"):
            // Float32 Cholesky factors: the Hessians of two kernels round differently, so compare
            // values to 1e-5 of the factor's largest, not bytes.
            let x = floats(u), y = floats(v)
            let scale = max(x.map { abs($0) }.max() ?? 1, 1e-30)
            #expect(x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "\(path): factors differ")
        default:
            #expect(a == b, "\(path): \(a) against \(b)")
        }
    }

    /// The Float32 values of a base64 little-endian string.
    static func floats(_ text: String) -> [Double] {
        guard let data = Data(base64Encoded: text) else { return [] }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            Double(Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24))
        }
    }

    @Test("Retrained here on its generated history, the default model equals Models/default-model.json: weights to 1e-6 of each product's largest, probabilities to 1e-9, the rest equal")
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
        #expect(model.encode().prettyPrinted() == RetrainedDefaultModel.pool.encode().prettyPrinted())
        // The temporary feature file was unlinked when made: the folder is empty.
        #expect(contentsOfFolder(folder) == [])
    }

    @Test("Training reads the same model whatever the chunk size, byte for byte")
    func chunkSizeSameModel() throws {
        var reading = ReaderOptions()
        reading.chunkRows = 777
        let (model, _) = try RetrainedDefaultModel.pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv", reading: reading)
        #expect(model.encode().prettyPrinted() == RetrainedDefaultModel.pool.encode().prettyPrinted())
    }
}
