@testable import FinRec
import Foundation
import Testing

@Suite("Platt calibration")
struct PlattScalingTests {
    /// Fixtures/platt: 2,000 logits of a model whose true probability is σ(1.6·z − 0.7).
    static let data: (logits: [Double], labels: [Double], weights: [Double]) = {
        let text = try! String(contentsOfFile: repositoryRoot() + "/Tests/FinRecTests/Fixtures/platt/data.csv", encoding: .utf8)
        var z: [Double] = [], y: [Double] = [], w: [Double] = []
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",").map { Double(String($0))! }
            z.append(cells[0])
            y.append(cells[1])
            w.append(cells[2])
        }
        return (z, y, w)
    }()

    static let reference = try! JSONValue.parse(Array(try! Data(contentsOf: URL(fileURLWithPath: repositoryRoot() + "/Tests/FinRecTests/Fixtures/platt/reference.json"))))

    func expected(_ name: String) -> PlattScaling {
        guard case .object(let root) = Self.reference, case .object(let o)? = root[name],
              case .number(let a)? = o["slope"], case .number(let b)? = o["intercept"] else {
            fatalError("reference.json lacks \(name)")
        }
        return PlattScaling(slope: a, intercept: b)
    }

    @Test("Slope and intercept agree with scikit-learn's sigmoid calibration, without and with sample weights")
    func matchesScikitLearn() throws {
        let d = Self.data
        for (name, weights) in [("unweighted", nil), ("weighted", d.weights)] as [(String, [Double]?)] {
            let fitted = try PlattScaling.fit(logits: d.logits, labels: d.labels, weights: weights)
            let reference = expected(name)
            // scikit-learn stops L-BFGS-B at a gradient of 1e-6; Newton goes to the optimum.
            #expect(abs(fitted.slope - reference.slope) <= 1e-5 * reference.slope, "\(name): slope \(fitted.slope) against \(reference.slope)")
            #expect(abs(fitted.intercept - reference.intercept) <= 1e-5, "\(name): intercept \(fitted.intercept) against \(reference.intercept)")
            // The optimum by its definition: the smoothed-target log loss is stationary there.
            let positives = zip(d.labels, weights ?? d.labels.map { _ in 1 }).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
            let negatives = (weights ?? d.labels.map { _ in 1 }).reduce(0, +) - positives
            func loss(_ a: Double, _ b: Double) -> Double {
                d.logits.indices.reduce(0.0) { sum, i in
                    let t = d.labels[i] > 0 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2)
                    let p = 1 / (1 + exp(-(a * d.logits[i] + b)))
                    return sum - (weights?[i] ?? 1) * (t * log(p) + (1 - t) * log(1 - p))
                }
            }
            let h = 1e-6
            let ga = (loss(fitted.slope + h, fitted.intercept) - loss(fitted.slope - h, fitted.intercept)) / (2 * h)
            let gb = (loss(fitted.slope, fitted.intercept + h) - loss(fitted.slope, fitted.intercept - h)) / (2 * h)
            #expect(abs(ga) < 1e-4 && abs(gb) < 1e-4, "\(name): gradient (\(ga), \(gb))")
        }
    }

    @Test("A calibration of one outcome, or of a ranking worse than chance, is refused")
    func refusals() {
        let d = Self.data
        #expect(throws: PlattScaling.FitError.oneOutcome) { try PlattScaling.fit(logits: d.logits, labels: d.labels.map { _ in 1 }) }
        #expect {
            try PlattScaling.fit(logits: d.logits.map { -$0 }, labels: d.labels)
        } throws: { error in
            if case PlattScaling.FitError.notIncreasing(let slope) = error { slope < 0 } else { false }
        }
    }

    @Test("Training folds the out-of-fold calibration into the weights: scores, standard errors and the file agree with the uncalibrated model mapped by σ(a·z + b)")
    func foldedIntoTheModel() throws {
        let path = temporaryFolder() + "/platt-pool.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 61), withTruth: false).write(count: 6_000, to: path)
        var pipeline = TrainingPipeline(spec: try FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"), catalog: shippedCatalog,
                                        asOf: assessmentDay)
        pipeline.crossValidationFolds = 3
        pipeline.cGrid = [0.03, 0.3]
        pipeline.calibration = .platt
        let (calibrated, summary) = try pipeline.train(path: path)
        // The same fit without calibration, at the Cs cross-validation chose.
        var plain = pipeline
        plain.crossValidationFolds = 0
        plain.calibration = .none
        plain.options.cPerProduct = calibrated.linear.products.map { calibrated.metrics[$0.id]!.c! }
        let uncalibrated = try plain.train(path: path).0

        let a = try OfferScorer(model: calibrated, asOf: assessmentDay), b = try OfferScorer(model: uncalibrated, asOf: assessmentDay)
        let chunk = try #require(try EnterpriseFileReader(path: path).nextChunk())
        let x = a.score(chunk, firstRow: 0), y = b.score(chunk, firstRow: 0)
        var calibratedCount = 0
        for (k, offer) in calibrated.catalog.offers.enumerated() {
            guard let p = a.productIndex[k] else { continue }
            let product = calibrated.linear.products[p]
            #expect(product.id == offer.id)
            guard let record = calibrated.metrics[product.id]?.calibration else {
                #expect(summary.uncalibrated[product.id] != nil, "\(product.id): neither calibrated nor told why")
                continue
            }
            calibratedCount += 1
            #expect(record.scaling.slope > 0 && record.rows > 0 && record.eceBefore.isFinite && record.eceAfter.isFinite)
            #expect(record.rows == calibrated.metrics[product.id]!.rows, "\(product.id): calibrated on every labelled row, out of fold")
            for i in 0..<chunk.rowCount {
                let expected = record.scaling.logit(y.logits[i, p])
                #expect(abs(x.logits[i, p] - expected) <= 1e-9 * max(1, abs(expected)), "\(product.id) row \(i)")
            }
            // The logit's standard error scales with the slope.
            for i in stride(from: 0, to: chunk.rowCount, by: 397) {
                let se = try #require(a.standardError(x, offer: k, row: i)), plainSE = try #require(b.standardError(y, offer: k, row: i))
                #expect(abs(se - record.scaling.slope * plainSE) <= 1e-4 * se, "\(product.id) row \(i): \(se) against \(record.scaling.slope) × \(plainSE)")
            }
        }
        #expect(calibratedCount >= 5, "the loans have enough out-of-fold rows to calibrate; \(summary.uncalibrated)")
        // The record survives the model file.
        let file = temporaryFolder() + "/platt-model.json"
        try calibrated.write(to: file, overwrite: true)
        let back = try TrainedModel.read(from: file)
        #expect(back.metrics.products.map(\.metrics.calibration) == calibrated.metrics.products.map(\.metrics.calibration))
    }

    @Test("Platt calibration without cross-validation is refused with what to do")
    func needsFolds() throws {
        var pipeline = TrainingPipeline(spec: try FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"), catalog: shippedCatalog,
                                        asOf: assessmentDay)
        pipeline.calibration = .platt
        #expect {
            try pipeline.train(path: repositoryRoot() + "/Datasets/shandong-pool.csv")
        } throws: { error in
            "\(error)".contains("--cv-folds")
        }
    }
}
