import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

@Suite("finrec evaluate, end to end")
struct EvaluateCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func holdout() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-eval-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/holdout.csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 99), withTruth: true).write(count: 4_000, to: path)
        return path
    }

    @Test("The shipped model on unseen firms: metrics in range, below the oracle, and equal to itself as baseline")
    func evaluatesShippedModel() throws {
        let model = try TrainedModel.read(from: root + "/Models/default-model.json")
        let data = try holdout()
        let asOf = CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch
        let e = try ModelEvaluation.evaluate(model: model, path: data, asOf: asOf, top: 50)
        #expect(e.rows == 4_000 && e.products.count == 15)
        let srdi = try #require(e.products.first { $0.id == "srdi_loan" })
        #expect(srdi.metrics.auc > 0.6 && srdi.metrics.auc <= (srdi.oracleAUC ?? 1) + 0.02, "\(srdi.metrics.auc) vs oracle \(String(describing: srdi.oracleAUC))")
        #expect(srdi.precisionAtTop > srdi.metrics.positiveRate, "the top 50 should beat the base rate")
        #expect(e.ndcgAt3 > 0.5 && e.ndcgAt3 <= 1 && e.hitAt1 > 0.5 && e.hitAt1 <= 1)
        // The table names offers in Chinese and, against itself, shows no difference.
        let table = EvaluationDocument(evaluation: e, baseline: e).table()
        #expect(table.contains("专精特新贷 (srdi_loan)") && table.contains("区域性股权市场专精特新板 (regional_board)"))
        #expect(table.contains("+0.000"))
        // The JSON parses back with the same AUC.
        guard case .object(let o) = try JSONValue.parse(EvaluationDocument(evaluation: e).json()), case .object(let m)? = o["model"],
              case .array(let products)? = m["products"], case .object(let first)? = products.first, case .number(let auc)? = first["auc"] else {
            Issue.record("unexpected JSON")
            return
        }
        #expect(abs(auc - e.products[0].metrics.auc) < 1e-12)
    }

    @Test("A version-1 model is refused by evaluate with what to do")
    func weightsOnlyModelRefused() throws {
        let command = try Evaluate.parse(["--model", root + "/Models/example-model.json", "--data", root + "/Datasets/shandong-pool.csv"])
        do {
            try command.run()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("a version-1 file holds weights only; train a model with `finrec train`"))
        }
    }
}

@Suite("finrec train --holdout")
struct TrainHoldoutTests {
    @Test("The hold-out file's metrics are stored in the model and equal an evaluation of the written model")
    func holdoutMetricsStored() throws {
        let dir = NSTemporaryDirectory() + "finrec-holdout-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 7), withTruth: false).write(count: 10_000, to: dir + "/train.csv")
        try SyntheticDataset(generator: EnterpriseGenerator(seed: 8), withTruth: false).write(count: 2_000, to: dir + "/holdout.csv")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let command = try Train.parse(["--data", dir + "/train.csv", "--output", dir + "/model.json", "--holdout", dir + "/holdout.csv",
                                       "--spec", root + "/Models/features.json", "--catalog", root + "/Models/catalog.json"])
        try command.run()
        let model = try TrainedModel.read(from: dir + "/model.json")
        let asOf = CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch
        let expected = try ModelEvaluation.evaluate(model: model, path: dir + "/holdout.csv", asOf: asOf)
        let summary = try #require(model.metrics.holdout)
        #expect(summary.file == "holdout.csv" && summary.rows == 2_000)
        #expect(summary.sha256 == TrainingPipeline.fingerprint(dir + "/holdout.csv"))
        for p in expected.products {
            let h = try #require(model.metrics[p.id]?.holdout, "\(p.id): no holdout metrics")
            #expect(h.rows == p.metrics.count)
            if p.metrics.auc.isFinite {
                let auc = try #require(h.auc, "\(p.id): AUC missing")
                #expect(abs(auc - p.metrics.auc) < 1e-12, "\(p.id)")
            } else {
                // Only one outcome among the hold-out rows: no AUC, written as null.
                #expect(h.auc == nil, "\(p.id)")
            }
        }
        // The typed sections read back write the same file.
        let text = try String(contentsOfFile: dir + "/model.json", encoding: .utf8)
        #expect(model.encode().prettyPrinted() == text)
    }
}

@Suite("finrec train --label: generic data")
struct GenericTrainingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("A generic model equals a fit on features computed independently here, and evaluates")
    func genericMatchesIndependentFeatures() throws {
        let dir = NSTemporaryDirectory() + "finrec-generic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let data = Self.root + "/Datasets/generic/loans.csv"
        let command = try Train.parse(["--data", data, "--label", "default", "--spec", Self.root + "/Datasets/generic/loans-features.json",
                                       "--output", dir + "/model.json", "--c", "1"])
        try command.run()
        let model = try TrainedModel.read(from: dir + "/model.json")
        #expect(model.linear.products.map(\.id) == ["default"] && model.catalog.offers.map(\.kind.id) == ["product"])
        #expect(model.features.schema.name == GenericSchema.name)

        // The features by hand: log1p, ratio with clip, values clipped to the training range
        // (0.5th to 99.5th percentile, nearest rank), standardisation with the sample mean and
        // standard deviation of the unclipped values, 0 and a missing column for every numeric
        // feature, two excess columns (0 in training), one-hot by frequency then name with
        // catch-all "other" and "missing" columns.
        let lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let income = rows.map { Double($0[1]) }, debt = rows.map { Double($0[2])! }, age = rows.map { Double($0[3]) }
        let logIncome = income.map { $0.map { log1p($0) } }
        let ratio = zip(income, debt).map { i, d in i.map { min(max(d / $0, 0), 5) } }
        // Per feature, standardised: the clipping range and the extended line's ends (0.05th and 99.95th percentiles).
        var ranges: [(farLow: Double, low: Double, high: Double, farHigh: Double)] = []
        func standardised(_ v: [Double?]) -> [Double] {
            let present = v.compactMap { $0 }, sorted = present.sorted()
            let mean = present.reduce(0, +) / Double(present.count)
            let sd = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count - 1)).squareRoot()
            func quantile(_ q: Double) -> Double { (sorted[Int((q * Double(sorted.count - 1)).rounded())] - mean) / sd }
            ranges.append((quantile(0.0005), quantile(0.005), quantile(0.995), quantile(0.9995)))
            let low = sorted[Int((0.005 * Double(sorted.count - 1)).rounded())], high = sorted[Int((0.995 * Double(sorted.count - 1)).rounded())]
            return v.map { $0.map { (min(max($0, low), high) - mean) / sd } ?? 0 }
        }
        let counts = Dictionary(grouping: rows.map { $0[4] }, by: { $0 }).mapValues(\.count)
        let vocabulary = counts.keys.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
        let zeros = [Double](repeating: 0, count: rows.count)
        var columns: [[Double]] = []
        for v in [logIncome, ratio, age] { columns += [standardised(v), v.map { $0 == nil ? 1 : 0 }, zeros, zeros] }
        for v in vocabulary { columns.append(rows.map { $0[4] == v ? 1 : 0 }) }
        columns.append(rows.map { vocabulary.contains($0[4]) || $0[4].isEmpty ? 0 : 1 })
        columns.append(rows.map { $0[4].isEmpty ? 1 : 0 })
        var names: [String] = []
        for name in ["log_income", "debt_to_income", "age"] { names += [name, name + "_missing", name + ":above_range", name + ":below_range"] }
        names += vocabulary.map { "region=\($0)" } + ["region:other", "region:missing"]
        #expect(model.linear.featureNames == names)
        let n = rows.count, d = columns.count
        let x = Matrix<Double>(rows: n, columns: d, elements: (0..<n).flatMap { i in columns.map { $0[i] } })
        let y = Matrix<Double>(rows: n, columns: 1, elements: rows.map { Double($0[5])! })
        var options = TrainerOptions()
        options.weightSigns = [(0..<d).map { [1, 5, 9].contains($0) ? .nonPositive : .free }]  // missing columns
        let reference = try LogisticTrainer(options: options).fit(TrainingSet(features: x, labels: y))
        var expected = Array(reference.weights.row(0))
        for f in 0..<3 {
            let (value, missing, above, below) = (4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3)
            // A favourable event: the line goes on above the range where the weight is negative,
            // below it where it is positive (the below column counts downwards), up to the far ends.
            let w = expected[value]
            expected[above] = min(w, 0)
            expected[below] = min(-w, 0)
            // Missing never scores above the least favourable value on the extended line.
            let r = ranges[f]
            let atFarLow: Double = w * r.low + expected[below] * (r.low - r.farLow)
            let atFarHigh: Double = w * r.high + expected[above] * (r.farHigh - r.high)
            expected[missing] = min(expected[missing], atFarLow, w * r.low, w * r.high, atFarHigh)
        }
        // A missing region never above the least favourable region.
        expected[d - 1] = min(expected[d - 1], expected[12...(d - 2)].min()!)
        let product = model.linear.products[0]
        for j in 0..<d {
            #expect(abs(product.weights[j] - expected[j]) <= 1e-6 * max(1, abs(expected[j])), "\(model.linear.featureNames[j])")
        }
        #expect(abs(product.intercept - reference.intercepts[0]) <= 1e-6 * max(1, abs(reference.intercepts[0])))

        // It evaluates on its own kind of data, with the label column named as the product.
        let evaluation = try ModelEvaluation.evaluate(model: model, path: data, asOf: 0)
        #expect(evaluation.products.count == 1 && evaluation.products[0].metrics.count == n)
        #expect(evaluation.products[0].metrics.auc > 0.65)
    }

    @Test("Without --c, train chooses C by 5-fold cross-validation over half-decades; --c fixes it; --cv-folds 0 fits C = 1")
    func defaultCrossValidation() throws {
        let dir = NSTemporaryDirectory() + "finrec-cv-default-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let data = Self.root + "/Datasets/generic/loans.csv"
        func train(_ extra: [String]) throws -> TrainedModel {
            let out = dir + "/model-\(extra.joined(separator: "_")).json"
            try Train.parse(["--data", data, "--label", "default", "--spec", Self.root + "/Datasets/generic/loans-features.json",
                             "--output", out] + extra).run()
            return try TrainedModel.read(from: out)
        }
        let chosen = try train([])
        let cv = try #require(chosen.hyperparameters.crossValidation)
        #expect(cv.folds == 5 && cv.grid == [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10])
        let scores = try #require(chosen.metrics["default"]).crossValidation
        #expect(scores.count == 9)
        // The C chosen is the grid's lowest out-of-fold log loss.
        let best = try #require(scores.min { $0.logLoss < $1.logLoss })
        #expect(chosen.metrics["default"]?.c == best.c)
        let fixed = try train(["--c", "0.3"])
        #expect(fixed.hyperparameters.crossValidation == nil && fixed.hyperparameters.c == 0.3)
        #expect(fixed.metrics["default"]?.crossValidation.isEmpty == true)
        let none = try train(["--cv-folds", "0"])
        #expect(none.hyperparameters.crossValidation == nil && none.hyperparameters.c == 1)
    }

    @Test("--catalog with --label is refused; a spec naming a column the data lack is refused with the column")
    func genericErrors() throws {
        let data = Self.root + "/Datasets/generic/loans.csv"
        let text = failureMessage(Train.self) {
            _ = try Train.parse(["--data", data, "--label", "default", "--catalog", "Models/catalog.json", "--output", "/tmp/x.json"])
        }
        #expect(text == "--catalog goes with enterprise data; a generic model (--label) has no eligibility rules.", "\(text ?? "no error")")
        let command = try Train.parse(["--data", data, "--label", "default", "--spec", Self.root + "/Models/features.json",
                                       "--output", NSTemporaryDirectory() + "never-\(UUID().uuidString).json"])
        do {
            try command.run()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("rd_expense_y1") || "\(error)".contains("unknown column"), "\(error)")
        }
    }
}

@Suite("German credit: FinRec against scikit-learn on the same folds")
struct GermanCreditTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("5-fold AUC (row i in fold i % 5, no directions) within 0.005 of scikit-learn's LogisticRegression(C=1) on the same features")
    func matchesScikitLearn() throws {
        let folder = Self.root + "/Datasets/german-credit"
        let lines = try String(contentsOfFile: folder + "/german-credit.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0], rows = Array(lines.dropFirst())
        #expect(rows.count == 1_000)
        let dir = NSTemporaryDirectory() + "finrec-german-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var aucs: [Double] = []
        for k in 0..<5 {
            let train = rows.indices.filter { $0 % 5 != k }.map { rows[$0] }, test = rows.indices.filter { $0 % 5 == k }.map { rows[$0] }
            try ([header] + train).joined(separator: "\n").appending("\n").write(toFile: dir + "/train\(k).csv", atomically: true, encoding: .utf8)
            try ([header] + test).joined(separator: "\n").appending("\n").write(toFile: dir + "/test\(k).csv", atomically: true, encoding: .utf8)
            let command = try Train.parse(["--data", dir + "/train\(k).csv", "--label", "bad", "--spec", folder + "/german-features.json",
                                           "--output", dir + "/model\(k).json", "--c", "1"])
            try command.run()
            let model = try TrainedModel.read(from: dir + "/model\(k).json")
            let evaluation = try ModelEvaluation.evaluate(model: model, path: dir + "/test\(k).csv", asOf: 0)
            aucs.append(evaluation.products[0].metrics.auc)
        }
        guard case .object(let reference) = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: folder + "/reference-auc.json"))),
              case .number(let sklearn)? = reference["mean_auc"] else {
            Issue.record("reference-auc.json unreadable")
            return
        }
        let mean = aucs.reduce(0, +) / 5
        #expect(abs(mean - sklearn) <= 0.005, "FinRec \(aucs) mean \(mean) against scikit-learn \(sklearn)")
    }
}
