package import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
import FinRecCatalog
package import FinRecModel
import FinRecInference
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drift between a baseline population (e.g. the one the model was built on) and a new one:
/// the population stability index (PSI) of each product's points and the characteristic
/// stability index (CSI, the same formula) of each feature.
///
/// PSI = Σ (new share − baseline share) × ln(new share / baseline share) over bins fixed on the
/// baseline: points in bands of about equal baseline population; a binned feature in its model
/// bins; another numeric feature in baseline deciles plus a missing bin; a category feature by
/// category (its vocabulary, other, missing). A bin empty on one side counts 0.5 rows there, so
/// the index stays finite. Usual reading: below 0.1 stable, 0.1 to 0.25 watch, above 0.25 act.
package struct PopulationStability: Sendable {
    package enum Band: String, Sendable {
        case stable, watch, act

        package init(_ index: Double) { self = index < 0.1 ? .stable : index <= 0.25 ? .watch : .act }

        package var chinese: String {
            switch self {
            case .stable: "稳定"
            case .watch: "关注"
            case .act: "需处理"
            }
        }
    }

    package struct Entry: Sendable {
        package let id: String
        package let chinese: String
        package let english: String
        /// Per bin: its label and the rows of each population in it.
        package let labels: [String]
        /// The bins of points and numeric features (nil for a category feature).
        package let bins: FittedBins?
        package let expected: [Double]
        package let actual: [Double]
        package let index: Double
        package var band: Band { Band(index) }
        /// Scores only: the mean points of each population.
        package let meanExpected: Double?
        package let meanActual: Double?
        /// The index two samples of these sizes from one population show on average, (bins − 1)
        /// × (1/n₁ + 1/n₂) (PSI is about χ² with bins − 1 degrees of freedom times that
        /// factor): an index near it is sampling noise, not drift.
        package var noDriftLevel: Double {
            let used = zip(expected, actual).filter { $0 > 0 || $1 > 0 }.count
            return Double(max(used - 1, 0)) * (1 / max(expected.reduce(0, +), 1) + 1 / max(actual.reduce(0, +), 1))
        }
        /// Too few rows to tell drift from noise: the no-drift level alone reaches 0.05.
        package var isNoisy: Bool { noDriftLevel >= 0.05 }
    }

    package let scores: [Entry]
    /// Largest index first.
    package let features: [Entry]
    package let baselineRows: Int
    package let dataRows: Int
    package let baseline: String
    package let data: String

    /// The index of two count vectors over the same bins.
    package static func index(expected: [Double], actual: [Double]) -> Double {
        let e = expected.reduce(0, +), a = actual.reduce(0, +)
        guard e > 0, a > 0 else { return .nan }
        var psi = 0.0
        for (x, y) in zip(expected, actual) where x > 0 || y > 0 {
            let p = max(x, 0.5) / e, q = max(y, 0.5) / a
            psi += (q - p) * log(q / p)
        }
        return psi
    }

    /// Reads the baseline twice (points and samples; then feature counts) and the new data once.
    package static func measure(model: TrainedModel, baseline: String, data: String, asOf: Int, bands: Int = 10,
                               reading: ReaderOptions = ReaderOptions(), threads: ThreadPolicy = .allCores) throws(InputFileError) -> PopulationStability {
        for path in [baseline, data] where path == "-" {
            throw InputFileError(path: EnterpriseFileReader.standardInputName, message: "monitor reads the baseline twice and needs both as files, not standard input")
        }
        let scorer: OfferScorer
        do { scorer = try OfferScorer(model: model, asOf: asOf, threads: threads) } catch {
            throw InputFileError(path: baseline, message: "the model's catalog does not compile: \(error)")
        }
        let features = model.features, products = model.linear.products
        let parameters = scorer.parameters
        let offerIndex = products.map { product in model.catalog.offers.firstIndex { $0.id == product.id } }

        /// Each product's points on the rows its rule does not rule out.
        func points(_ chunk: RecordChunk, _ firstRow: Int) -> [[Double]] {
            let scored = scorer.score(chunk, firstRow: firstRow)
            return products.indices.map { p in
                (0..<chunk.rowCount).compactMap { r in
                    if let k = offerIndex[p], scored.status(offer: k, row: r) == .fail { return nil }
                    return model.scaling.points(logit: scored.logits[r, p])
                }
            }
        }

        // Baseline, pass 1: points, and a sample of each numeric feature for its deciles.
        var baselinePoints = [[Double]](repeating: [], count: products.count)
        // A sample of each numeric feature's values places its baseline deciles.
        var samples = [Reservoir](repeating: Reservoir(), count: features.spec.features.count)
        var rng = SplitMix64(seed: 0xD81F7)
        var baselineRows = 0
        let reader = try EnterpriseFileReader(path: baseline, schema: features.schema, options: reading)
        while let chunk = try reader.nextChunk() {
            for (p, x) in points(chunk, baselineRows).enumerated() { baselinePoints[p] += x }
            for j in samples.indices where features.bins[j] == nil && features.vocabularies[j] == nil {
                let (values, missing) = features.rawValues(chunk, feature: j, parameters: parameters)
                for r in values.indices where !missing[r] { samples[j].add(values[r], using: &rng) }
            }
            baselineRows += chunk.rowCount
        }
        _ = try reader.finish()
        guard baselineRows > 0 else { throw InputFileError(path: baseline, message: "has no rows (only a header?)") }

        // The bins, fixed on the baseline.
        // At least 50 baseline rows per band: fewer bands for offers few firms are scored for.
        let scoreBins = baselinePoints.map { FittedBins(cuts: OptimalBinning.quantileCuts(sorted: $0.sorted(), count: max(2, min(bands, $0.count / 50))), special: []) }
        let featureBins: [FittedBins?] = features.spec.features.indices.map { j in
            if let b = features.bins[j] { return FittedBins(cuts: b.cuts, special: b.special) }
            if features.vocabularies[j] != nil { return nil }
            return FittedBins(cuts: OptimalBinning.quantileCuts(sorted: samples[j].values.sorted(), count: bands), special: [])
        }
        func slotCount(_ j: Int) -> Int { featureBins[j]?.slotCount ?? features.vocabularies[j]!.count + 2 }

        /// One pass over a file: each feature's rows per bin and, when scoring, each offer's rows
        /// per points band with the sum of their points.
        struct Tally {
            var features: [[Double]]
            var scores: [[Double]]
            var pointSums: [Double]
            var rows = 0
        }
        func tally(_ path: String, scoring: Bool) throws(InputFileError) -> Tally {
            var t = Tally(features: features.spec.features.indices.map { [Double](repeating: 0, count: slotCount($0)) },
                          scores: scoreBins.map { [Double](repeating: 0, count: $0.ordinaryBins) },
                          pointSums: [Double](repeating: 0, count: products.count))
            let reader = try EnterpriseFileReader(path: path, schema: features.schema, options: reading)
            while let chunk = try reader.nextChunk() {
                if scoring {
                    for (p, x) in points(chunk, t.rows).enumerated() {
                        for v in x { t.scores[p][scoreBins[p].slot(v)] += 1 }
                        t.pointSums[p] += x.reduce(0, +)
                    }
                }
                for j in t.features.indices {
                    if let bins = featureBins[j] {
                        let (values, missing) = features.rawValues(chunk, feature: j, parameters: parameters)
                        for r in values.indices { t.features[j][bins.slot(missing[r] ? nil : values[r])] += 1 }
                    } else {
                        for k in features.categorySlots(chunk, feature: j) { t.features[j][k] += 1 }
                    }
                }
                t.rows += chunk.rowCount
            }
            _ = try reader.finish()
            return t
        }
        let base = try tally(baseline, scoring: false), new = try tally(data, scoring: true)
        guard new.rows > 0 else { throw InputFileError(path: data, message: "has no rows (only a header?)") }

        let scores = products.enumerated().map { p, product in
            var expected = [Double](repeating: 0, count: scoreBins[p].ordinaryBins)
            for v in baselinePoints[p] { expected[scoreBins[p].slot(v)] += 1 }
            let actual = new.scores[p], scored = actual.reduce(0, +)
            return Entry(id: product.id, chinese: product.chineseName, english: product.englishName,
                         labels: (0..<scoreBins[p].ordinaryBins).map { scoreBins[p].label(slot: $0, digits: 0) }, bins: scoreBins[p],
                         expected: expected, actual: actual, index: index(expected: expected, actual: actual),
                         meanExpected: baselinePoints[p].isEmpty ? nil : baselinePoints[p].reduce(0, +) / Double(baselinePoints[p].count),
                         meanActual: scored > 0 ? new.pointSums[p] / scored : nil)
        }
        let featureEntries = features.spec.features.enumerated().map { j, f in
            let labels = featureBins[j].map { b in (0..<b.slotCount).map { b.label(slot: $0) } }
                ?? features.vocabularies[j]! + ["other", "missing"]
            return Entry(id: f.name, chinese: f.chinese, english: f.english, labels: labels, bins: featureBins[j], expected: base.features[j], actual: new.features[j],
                         index: index(expected: base.features[j], actual: new.features[j]), meanExpected: nil, meanActual: nil)
        }.sorted { ($0.index.isNaN ? -1 : $0.index) > ($1.index.isNaN ? -1 : $1.index) }
        return PopulationStability(scores: scores, features: featureEntries, baselineRows: baselineRows, dataRows: new.rows,
                                   baseline: baseline, data: data)
    }
}
