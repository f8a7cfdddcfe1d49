import FinRec
import Foundation
import Testing

/// Made-up loans whose label can be read either way round: `bad` (a default, adverse) and
/// `good` = 1 − bad (favourable). Income is missing for a sixth of the rows, mostly well-off
/// applicants who default less than average — so a fit left to itself would make a missing income
/// lower the default probability, the help "missing never helps" must take away. The region has
/// categories literally named `other` and `missing`.
enum PolarityData {
    static let regions = ["north", "south", "other", "missing"]

    /// CSV text of `count` loans drawn with `seed`.
    static func csv(count: Int, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var lines = ["id,income,debt,age,region,bad,good"]
        for i in 0..<count {
            let income = rng.logNormal(median: 50_000, sigma: 0.5)
            let debt = rng.logNormal(median: 20_000, sigma: 0.8)
            let age = rng.uniform(20, 70)
            let region = regions[rng.pick(weights: [4, 3, 2, 1])]
            let z = -0.8 - 1.1 * log(income / 50_000) + 0.6 * log(debt / 20_000) - 0.02 * (age - 45) + (region == "other" ? 0.5 : 0)
            let bad = rng.bernoulli(1 / (1 + exp(-z)))
            // Well-off applicants leave income out more often.
            let hidden = rng.bernoulli(income > 60_000 ? 0.35 : 0.05)
            let ageHidden = rng.bernoulli(0.08)
            lines.append("L\(i),\(hidden ? "" : String(format: "%.2f", income)),\(String(format: "%.2f", debt)),\(ageHidden ? "" : String(format: "%.1f", age)),\(region),\(bad ? 1 : 0),\(bad ? 0 : 1)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let spec = """
        {"format": "finrec-features", "format_version": 1, "features": [
          {"name": "log_income", "zh": "收入（对数）", "en": "log income", "expr": "income", "log": true,
           "direction": {"all": "+", "why": "income repays the loan"}},
          {"name": "log_debt", "zh": "负债（对数）", "en": "log debt", "expr": "debt", "log": true,
           "direction": {"all": "-", "why": "debt competes with the loan"}},
          {"name": "age", "zh": "年龄", "en": "age", "expr": "age"},
          {"name": "region", "zh": "地区", "en": "region", "expr": "region", "one_hot": "learn"}]}
        """

    /// A model of `label` with `polarity`, trained (C = 1) on 4,000 loans, with its schema.
    static func train(label: String, polarity: FittedFeatures.EventPolarity) throws -> TrainedModel {
        let folder = temporaryFolder()
        let data = folder + "/loans.csv", specPath = folder + "/spec.json"
        try csv(count: 4_000, seed: 7).write(toFile: data, atomically: true, encoding: .utf8)
        try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        let schema = try GenericSchema.infer(csvPath: data, excluding: ["bad", "good"])
        var pipeline = TrainingPipeline(spec: try FeatureSpec.read(path: specPath, schema: schema),
                                        catalog: try Catalog.generic(products: [label], schema: schema), asOf: 0)
        pipeline.schema = schema
        pipeline.labelPrefix = ""
        pipeline.polarity = polarity
        return try pipeline.train(path: data).0
    }

    /// Each row's logit of product 0, computed from the feature matrix and the weights.
    static func logits(_ model: TrainedModel, csv: String) throws -> [Double] {
        let chunk = try #require(try CSVRecordReader(bytes: Array(csv.utf8), name: "rows.csv", schema: model.features.schema).nextChunk())
        let x = model.features.apply(chunk)
        let product = model.linear.products[0]
        return (0..<x.rows).map { r in Accurate.affine(Array(x.row(r)), product.weights, plus: product.intercept) }
    }

    /// `rows` with one field blanked at a time: (row index, field, CSV text with the changed rows).
    static func deletions(_ text: String, rows: Int) -> (csv: String, cases: [(row: Int, field: String)]) {
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        var out = [lines[0]], cases: [(Int, String)] = []
        for r in 1...rows {
            let cells = lines[r].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for field in ["income", "debt", "age", "region"] {
                let c = header.firstIndex(of: field)!
                guard !cells[c].isEmpty else { continue }
                var changed = cells
                changed[c] = ""
                changed[0] += "-" + field  // ids are unique in a file
                out.append(changed.joined(separator: ","))
                cases.append((r - 1, field))
            }
        }
        return (out.joined(separator: "\n") + "\n", cases)
    }
}

@Suite("Event polarity: missing data never helps the applicant, whichever way the label reads")
struct PolarityTests {
    static let adverse = try! PolarityData.train(label: "bad", polarity: .adverse)
    static let favourable = try! PolarityData.train(label: "good", polarity: .favourable)

    /// For every one of `rows` fresh loans and every field it has, the change of the logit when
    /// the field is deleted.
    static func deletionChanges(_ model: TrainedModel, rows: Int = 300) throws -> [(change: Double, field: String)] {
        let text = PolarityData.csv(count: rows, seed: 99)
        let before = try PolarityData.logits(model, csv: text)
        let (changed, cases) = PolarityData.deletions(text, rows: rows)
        let after = try PolarityData.logits(model, csv: changed)
        #expect(after.count == cases.count && cases.count > 3 * rows)
        return zip(cases, after).map { ($1 - before[$0.row], $0.field) }
    }

    @Test("A PD model (adverse event) never lowers the probability of default when a field is deleted")
    func adverseDeletionNeverLowers() throws {
        let changes = try Self.deletionChanges(Self.adverse)
        let lowered = changes.filter { $0.change < -1e-12 }
        #expect(lowered.isEmpty, "\(lowered.count) of \(changes.count): \(lowered.prefix(5))")
        // The cap did something: a free fit makes a missing income lower the default probability.
        #expect((Self.adverse.metrics["bad"]?.cappedMissingWeights ?? 0) >= 1)
        #expect(changes.contains { $0.field == "income" && $0.change > 1e-6 })
        #expect(Self.adverse.features.polarity == .adverse)
    }

    @Test("A favourable model never raises the probability when a field is deleted; the same labels read as favourable would")
    func favourableDeletionNeverRaises() throws {
        let changes = try Self.deletionChanges(Self.favourable)
        let raised = changes.filter { $0.change > 1e-12 }
        #expect(raised.isEmpty, "\(raised.count) of \(changes.count): \(raised.prefix(5))")
        // The default label trained as favourable (the reviewer's `--label bad` without `--event`):
        // deleting income then lowers the default probability for some loans, the bug the
        // adverse polarity fixes.
        let wrongWay = try PolarityData.train(label: "bad", polarity: .favourable)
        let wrong = try Self.deletionChanges(wrongWay)
        #expect(wrong.contains { $0.field == "income" && $0.change < -1e-6 })
    }

    @Test("Directions are the firm's view: \"+\" income lowers a PD and raises an approval; missing columns point the applicant's worst way")
    func directionsFlip() throws {
        func weight(_ model: TrainedModel, _ column: String) throws -> Double {
            model.linear.products[0].weights[try #require(model.features.columns.firstIndex { $0.name == column })]
        }
        #expect(try weight(Self.adverse, "log_income") < 0 && weight(Self.adverse, "log_debt") > 0)
        #expect(try weight(Self.favourable, "log_income") > 0 && weight(Self.favourable, "log_debt") < 0)
        for (c, column) in Self.adverse.features.columns.enumerated() where column.role == .missing {
            #expect(Self.adverse.linear.products[0].weights[c] >= 0, "\(column.name)")
        }
        for (c, column) in Self.favourable.features.columns.enumerated() where column.role == .missing {
            #expect(Self.favourable.linear.products[0].weights[c] <= 0, "\(column.name)")
        }
    }

    @Test("Beyond the clipping range the line continues, up to the 0.05th and 99.95th percentiles, only where it hurts the applicant, for both polarities")
    func oneSidedExtrapolation() throws {
        for model in [Self.adverse, Self.favourable] {
            let features = model.features
            let w = model.linear.products[0].weights
            for name in ["age", "log_debt"] {
                let j = try #require(features.spec.features.firstIndex { $0.name == name })
                let s = try #require(features.statistics[j])
                #expect(s.farLow < s.low && s.low < s.high && s.high < s.farHigh, "\(name): \(s)")
                let value = try #require(features.columns.firstIndex { $0.feature == j && $0.role == .value })
                // Feature values from beyond the extended line's lower end to beyond its upper end.
                let t = [s.farLow - 1, s.farLow, (s.farLow + s.low) / 2, s.low, (s.low + s.high) / 2, s.high, (s.high + s.farHigh) / 2, s.farHigh, s.farHigh + 1]
                let raw = name == "age" ? t : t.map { expm1($0) }
                let debts = name == "age" ? t.map { _ in 20_000.0 } : raw, ages = name == "age" ? raw : t.map { _ in 40.0 }
                let text = "id,income,debt,age,region,bad,good\n" + t.indices.map { "A\($0),50000,\(debts[$0]),\(ages[$0]),north,," }.joined(separator: "\n") + "\n"
                let logits = try PolarityData.logits(model, csv: text)
                // What each value is worth to the applicant (for an adverse event, a lower logit),
                // against the line of the fitted weight through the range.
                let worth = logits.map { features.polarity.gain($0) }
                let slope = features.polarity.gain(w[value]) / s.standardDeviation  // per unit of t, for the applicant
                #expect(slope != 0, "\(name)")
                func line(_ k: Int) -> Double { worth[4] + slope * (t[k] - t[4]) }
                for k in 3...5 { #expect(abs(worth[k] - line(k)) < 1e-9, "\(name) inside the range") }
                if slope > 0 {
                    // Lower values hurt: the line goes on below the range, down to its end.
                    for k in 1...2 { #expect(abs(worth[k] - line(k)) < 1e-9, "\(name) below") }
                    #expect(abs(worth[0] - worth[1]) < 1e-12)
                    for k in 6...8 { #expect(abs(worth[k] - worth[5]) < 1e-12, "\(name) above: clipped") }
                } else {
                    for k in 6...7 { #expect(abs(worth[k] - line(k)) < 1e-9, "\(name) above") }
                    #expect(abs(worth[8] - worth[7]) < 1e-12)
                    for k in 0...2 { #expect(abs(worth[k] - worth[3]) < 1e-12, "\(name) below: clipped") }
                }
                // A missing value is worth no more than the worst of them.
                let missing = try PolarityData.logits(model, csv: "id,income,debt,age,region,bad,good\nM,50000,\(name == "age" ? "20000" : ""),\(name == "age" ? "" : "40"),north,,\n")
                #expect(features.polarity.gain(missing[0]) <= worth.min()! + 1e-12, "\(name) missing")
            }
        }
    }

    @Test("Categories literally named other and missing train, keep their own columns and score apart from the catch-alls")
    func categoriesNamedLikeCatchAlls() throws {
        let features = Self.adverse.features
        let names = features.columnNames
        #expect(Set(names).count == names.count, "\(names)")
        #expect(names.contains("region=other") && names.contains("region=missing") && names.contains("region:other") && names.contains("region:missing"))
        let j = try #require(features.spec.features.firstIndex { $0.name == "region" })
        #expect(Set(features.vocabularies[j] ?? []) == Set(PolarityData.regions))
        // A loan from region "other", from a region never seen, and without a region: three different columns.
        let text = "id,income,debt,age,region,bad,good\nA,50000,20000,40,other,,\nB,50000,20000,40,east,,\nC,50000,20000,40,,,\n"
        let chunk = try #require(try CSVRecordReader(bytes: Array(text.utf8), name: "r.csv", schema: features.schema).nextChunk())
        let x = features.apply(chunk)
        for (r, column) in ["region=other", "region:other", "region:missing"].enumerated() {
            let c = try #require(names.firstIndex(of: column))
            #expect(x[r, c] == 1)
            #expect((0..<3).filter { x[$0, c] == 1 } == [r], "\(column)")
        }
        // The file keeps it: written and read back with the same columns and event.
        let path = temporaryFolder() + "/pd.json"
        try Self.adverse.write(to: path, overwrite: false)
        let back = try TrainedModel.read(from: path)
        #expect(back.features.columnNames == names && back.features.polarity == .adverse && back.linear == Self.adverse.linear)
        let text4 = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text4.contains("\"format_version\": 4") && text4.contains("\"event\": \"adverse\""))
    }

    @Test("Model files before version 4 read as favourable; an unknown event is refused, naming the field")
    func eventInTheFile() throws {
        let shipped = try TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")
        if shipped.features.layout != .oneSided { #expect(shipped.features.polarity == .favourable) }
        let path = temporaryFolder() + "/pd.json"
        try Self.adverse.write(to: path, overwrite: false)
        let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"event\": \"adverse\"", with: "\"event\": \"bad\"")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try TrainedModel.read(from: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("event") && text.contains("adverse") && text.contains("favourable")
        }
    }
}

@Suite("Worse figures keep lowering the score beyond the training range (one-sided clipping), on the example applicants")
struct UnfavourableExtrapolationTests {
    /// The shipped spec and catalog trained (C = 0.3, favourable) on 6,000 generated firms: a
    /// one-sided model, whatever the shipped model file is.
    static let model: TrainedModel = {
        let path = temporaryFolder() + "/history.csv"
        try! SyntheticDataset(generator: EnterpriseGenerator(seed: 61), withTruth: false).write(count: 6_000, to: path)
        var pipeline = TrainingPipeline(spec: try! FeatureSpec.read(path: repositoryRoot() + "/Models/features.json"), catalog: shippedCatalog,
                                        asOf: assessmentDay)
        pipeline.options.c = 0.3
        return try! pipeline.train(path: path).0
    }()

    /// The example applicants as JSON objects, by file name.
    static func applicants() throws -> [(String, JSONObject)] {
        let folder = repositoryRoot() + "/Datasets/applicants/"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted().map { file in
            guard case .object(let o) = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: folder + file))) else { throw CocoaError(.fileReadCorruptFile) }
            return (file, o)
        }
    }

    /// 专精特新贷's logit for each variant of an applicant, from `model`'s weights.
    static func srdiLogits(_ variants: [JSONObject], model: TrainedModel = model) throws -> [Double] {
        let scorer = try OfferScorer(model: model, asOf: assessmentDay, threads: .singleThreaded)
        let p = try #require(model.linear.products.firstIndex { $0.id == "srdi_loan" })
        let folder = temporaryFolder()
        return try variants.map { try ConservativeScoringTests.logits($0, scorer: scorer, folder: folder)[p] }
    }

    /// The same model with both ends clipped (the excess columns' weights 0): what format 3 did.
    static var clippedBothSides: TrainedModel {
        var linear = model.linear
        for p in linear.products.indices {
            for (c, column) in model.features.columns.enumerated() where column.role == .excessAbove || column.role == .excessBelow {
                linear.products[p].weights[c] = 0
            }
        }
        return TrainedModel(linear: linear, features: model.features, catalog: model.catalog, scaling: model.scaling,
                            metrics: model.metrics, hyperparameters: model.hyperparameters, provenance: model.provenance)
    }

    /// `applicant` with `changes` (schema field names), whichever key (English or Chinese) it used for them.
    static func with(_ applicant: JSONObject, _ changes: [String: Double]) -> JSONObject {
        var o = applicant
        for (field, value) in changes {
            for key in o.keys where EnterpriseSchema.schema.fieldIndex(forHeader: key).map({ EnterpriseSchema.schema.fields[$0].name }) == field { o[key] = nil }
            o[field] = .number(value)
        }
        return o
    }

    /// An applicant's value of `field` (under either key), nil when missing.
    static func value(_ applicant: JSONObject, _ field: String) -> Double? {
        for key in applicant.keys where EnterpriseSchema.schema.fieldIndex(forHeader: key).map({ EnterpriseSchema.schema.fields[$0].name }) == field {
            if case .number(let v)? = applicant[key] { return v }
        }
        return nil
    }

    @Test("A loss beyond the clipping range (half way to the 0.05th percentile), debt ratio 75% → 95%, overdues 2 → 8: 专精特新贷 falls strictly for every example applicant")
    func worseKeepsFalling() throws {
        let features = Self.model.features
        #expect(features.layout == .oneSided)
        let profit = try #require(features.spec.features.firstIndex { $0.name == "net_profit" })
        let s = try #require(features.statistics[profit])
        // Net profit (万元) at the clipping range's lower end, and half way (in signed log1p) to the extended line's end.
        func loss(_ t: Double) -> Double { -expm1(-t) }
        let (atLow, beyond) = (loss(s.low), loss((s.low + s.farLow) / 2))
        #expect(s.farLow < s.low && s.low < 0 && beyond < atLow)
        var clippedEqual = 0, profitFalls = 0
        for (file, applicant) in try Self.applicants() {
            let assets = Self.value(applicant, "total_assets") ?? 10_000
            let cases: [(String, [JSONObject])] = [
                ("net profit", [atLow, beyond].map { Self.with(applicant, ["net_profit_y1": $0]) }),
                ("debt ratio", [0.75, 0.95].map { Self.with(applicant, ["total_assets": assets, "total_liabilities": $0 * assets, "net_assets": (1 - $0) * assets]) }),
                ("overdues", [2.0, 8].map { Self.with(applicant, ["overdue_24m": $0]) }),
            ]
            for (what, variants) in cases {
                let z = try Self.srdiLogits(variants)
                // Clipping both ends (format 3) can leave the score where it was.
                let old = try Self.srdiLogits(variants, model: Self.clippedBothSides)
                if abs(old[1] - old[0]) < 1e-12 { clippedEqual += 1 }
                if what == "net profit" {
                    // This small model's net-profit weight for 专精特新贷 is 0 (the "+" direction
                    // binds); the loss acts through the net margin, which the spec clips at −100%.
                    #expect(z[1] <= z[0] + 1e-12, "\(file) \(what)")
                    if z[1] < z[0] - 1e-6 { profitFalls += 1 }
                    continue
                }
                #expect(z[1] < z[0] - 1e-6, "\(file) \(what): \(Sigmoid.probability(z[0])) → \(Sigmoid.probability(z[1]))")
            }
        }
        #expect(clippedEqual > 0, "clipping both sides never flattened a case: the test would not tell the layouts apart")
        #expect(profitFalls >= 2)
    }
}
