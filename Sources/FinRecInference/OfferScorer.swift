package import FinRecBase
package import FinRecRecords
package import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
package import FinRecModel
/// Scores chunks of enterprises for every offer of a trained model's catalog at once: the
/// eligibility of each offer, the model's logit for it (one gemm for all products), and the
/// reason codes that explain a logit.
///
/// Used by `finrec score` for one applicant and by `finrec rank` for whole pools, so both give
/// the same numbers for the same enterprise.
///
/// Built once per model and then only read: a class, so that the chunks, assessments and
/// documents that hold it share one instead of copying the model, catalog and compiled rules.
package final class OfferScorer: Sendable {
    package let model: TrainedModel
    package let asOf: Int
    package let evaluator: EligibilityEvaluator
    /// Measures how far an enterprise is from the offers it does not pass.
    package let gaps: GapFinder
    /// Assesses the steps before an offer (股改, quotation, a lower tier …).
    package let paths: PathFinder
    let scorer: LinearScorer<Double>
    let threads: ThreadPolicy
    /// For each catalog offer, its product's column in the logits, or nil when the model has no
    /// product for it.
    package let productIndex: [Int?]
    /// For each spec feature, the feature-matrix columns it produced (one-hot levels and
    /// missing indicators belong to their feature).
    let featureColumns: [[Int]]
    /// For each catalog offer, the successes its product learnt from (nil without a product).
    let productSuccesses: [Int?]
    /// Each catalog definition compiled once (nil for one that does not compile to a number),
    /// for the officer's key figures.
    let definitions: [CompiledExpression?]
    /// What the priced offers cost and the policies give, on the LPR table's rates.
    package let costing: Costing
    /// Every product's uncertainty stored four to a vector, for one applicant's standard errors,
    /// and each product's place in it (nil for a product without uncertainty).
    let interleavedUncertainty: (factors: LogitUncertainty.Interleaved, slot: [Int?])?

    package var catalog: Catalog { model.catalog }
    package var parameters: [String: Double] { ["as_of_date": Double(asOf)] }

    /// - Parameter asOf: the assessment date of the eligibility rules, days since 1970-01-01.
    package init(model: TrainedModel, asOf: Int, threads: ThreadPolicy = .allCores) throws(ExpressionError) {
        self.model = model
        self.asOf = asOf
        self.threads = threads
        evaluator = try EligibilityEvaluator(catalog: model.catalog, schema: model.features.schema)
        gaps = GapFinder(evaluator: evaluator)
        paths = PathFinder(gaps: gaps)
        scorer = LinearScorer<Double>(model: model.linear)
        productIndex = model.catalog.offers.map { offer in model.linear.products.firstIndex { $0.id == offer.id } }
        var groups = [[Int]](repeating: [], count: model.features.spec.features.count)
        for (j, column) in model.features.columns.enumerated() { groups[column.feature].append(j) }
        featureColumns = groups
        productSuccesses = productIndex.map { $0.flatMap { model.metrics[model.linear.products[$0].id]?.successes } }
        let environment = evaluator.environment
        definitions = model.catalog.definitions.map { try? CompiledExpression($0.expression, in: environment, boolean: false) }
        costing = try Costing(catalog: model.catalog, schema: model.features.schema, asOf: asOf)
        let uncertain = model.uncertainty.indices.filter { model.uncertainty[$0] != nil }
        var slot = [Int?](repeating: nil, count: model.linear.products.count)
        for (s, p) in uncertain.enumerated() where p < slot.count { slot[p] = s }
        interleavedUncertainty = LogitUncertainty.Interleaved(uncertain.map { model.uncertainty[$0]! }).map { ($0, slot) }
    }

    /// Features, logits and eligibility of every row of `chunk`.
    /// - Parameter firstRow: the position of the chunk's first row among the input's rows; it
    ///   fixes each row's place in the scorer's `gemm` blocks, so that logits are the same
    ///   whatever the chunk size (see ``LinearScorer``).
    package func score(_ chunk: RecordChunk, firstRow: Int) -> ScoredChunk {
        let x = model.features.apply(chunk, parameters: parameters)
        let logits = scorer.logits(for: x, firstRow: firstRow, threads: threads)
        return ScoredChunk(chunk: chunk, features: x, logits: logits, eligibility: evaluator.evaluate(chunk, asOf: asOf), productIndex: productIndex)
    }

    /// The standard error of the logit of catalog offer `k` for `row` (Laplace approximation),
    /// nil when the model carries no uncertainty for it.
    package func standardError(_ scored: ScoredChunk, offer k: Int, row: Int) -> Double? {
        guard let p = productIndex[k], model.uncertainty.indices.contains(p), let u = model.uncertainty[p] else { return nil }
        return u.standardError(scored.features.row(row))
    }

    /// Per catalog offer, the standard error of its logit for the rows of `scored` where the offer
    /// is open or undecided (as ``standardError(_:offer:row:)`` gives it one row at a time; NaN
    /// where the offer fails, which shows no probability); nil for an offer without a product or
    /// uncertainty. A product shared by several offers is computed once per row.
    package func standardErrors(_ scored: ScoredChunk) -> [[Double]?] {
        let rows = scored.rowCount
        if rows == 1, let interleaved = interleavedUncertainty {
            // One applicant: every product at once, four to a vector (a handful of microseconds).
            let errors = scored.features.withUnsafeBufferPointer { interleaved.factors.standardErrors($0) }
            return productIndex.enumerated().map { k, p in
                guard let p, let slot = interleaved.slot[p] else { return nil }
                return [scored.status(offer: k, row: 0) == .fail ? .nan : errors[slot]]
            }
        }
        var products: [Int] = []
        var wanted: [Int: [Bool]] = [:]
        for (k, p) in productIndex.enumerated() {
            guard let p, model.uncertainty.indices.contains(p), model.uncertainty[p] != nil else { continue }
            if wanted[p] == nil { products.append(p); wanted[p] = [Bool](repeating: false, count: rows) }
            for r in 0..<rows where scored.status(offer: k, row: r) != .fail { wanted[p]![r] = true }
        }
        var pairs: [(factor: Int, row: Int)] = []
        for (f, p) in products.enumerated() { for r in 0..<rows where wanted[p]![r] { pairs.append((f, r)) } }
        let errors = scored.features.withUnsafeBufferPointer {
            LogitUncertainty.standardErrors(products.map { model.uncertainty[$0]! }, $0, rows: rows, pairs: pairs)
        }
        var byProduct = Dictionary(uniqueKeysWithValues: products.map { ($0, [Double](repeating: .nan, count: rows)) })
        for (pair, error) in zip(pairs, errors) { byProduct[products[pair.factor]]![pair.row] = error }
        return productIndex.map { p in p.flatMap { byProduct[$0] } }
    }

    /// How many successes catalog offer `k`'s product learnt from, nil without a product.
    package func successes(offer k: Int) -> Int? { productSuccesses[k] }

    /// Offers learnt from fewer successes than this are shown as indicative (参考) and ranked by
    /// their moderated probability.
    package static let minimumSuccesses = 200

    /// Whether a model learnt from `successes` gives indicative (参考) probabilities.
    package static func isIndicative(successes: Int) -> Bool { successes < minimumSuccesses }

    /// The probability catalog offer `k` is ranked by for `row` (as `score` ranks and `rank --best`
    /// chooses), given its logit and, when known, its standard error: the probability itself, or
    /// for an indicative offer MacKay's moderated probability.
    package func rankingProbability(offer k: Int, logit: Double, standardError se: Double?) -> Double {
        guard let se, let n = productSuccesses[k], Self.isIndicative(successes: n) else { return Sigmoid.probability(logit) }
        return LogitUncertainty.moderatedProbability(logit: logit, standardError: se)
    }

    /// Whether catalog offer `k` is indicative: its product learnt from too few successes.
    package func isIndicative(offer k: Int) -> Bool { productSuccesses[k].map(Self.isIndicative(successes:)) ?? false }

    /// What each spec feature adds to the logit of catalog offer `k` for `row` of `scored`:
    /// weight × standardised value summed over the feature's columns. With the intercept they sum
    /// to the logit; `points` is the same in scorecard points (factor × logit contribution).
    /// Ordered from the largest push up to the largest push down (ties by feature order).
    package func reasonCodes(_ scored: ScoredChunk, offer k: Int, row: Int) -> [ReasonCode] {
        guard let p = productIndex[k] else { return [] }
        let weights = model.linear.products[p].weights
        let x = scored.features.row(row)
        let base = x.startIndex
        // Sorted as (share, feature) pairs, then made into codes: moving codes (three strings
        // each) while sorting retains and releases at every step.
        var shares: [(logit: Double, feature: Int)] = []
        shares.reserveCapacity(featureColumns.count)
        for (f, columns) in featureColumns.enumerated() {
            var logit = 0.0
            for j in columns { logit += weights[j] * x[base + j] }
            shares.append((logit, f))
        }
        shares.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.feature < $1.feature }
        let features = model.features.spec.features, factor = model.scaling.factor
        return shares.map { share in
            let feature = features[share.feature]
            return ReasonCode(feature: feature.name, chinese: feature.chinese, english: feature.english,
                              logit: share.logit, points: factor * share.logit, order: share.feature)
        }
    }
}

/// One chunk with its feature matrix, logits (rows × model products) and eligibility.
package struct ScoredChunk: Sendable {
    package let chunk: RecordChunk
    package let features: Matrix<Double>
    package let logits: Matrix<Double>
    package let eligibility: EligibilityResult
    let productIndex: [Int?]

    package var rowCount: Int { chunk.rowCount }

    /// The logit of catalog offer `k` for `row`, nil when the model has no product for it.
    package func logit(offer k: Int, row: Int) -> Double? { productIndex[k].map { logits[row, $0] } }

    package func status(offer k: Int, row: Int) -> Truth { eligibility.status(offer: k, row: row) }
}

/// One feature's share of a logit, in logit units and scorecard points.
public struct ReasonCode: Sendable, Equatable {
    /// The feature's name in the spec, e.g. `rd_ratio_2y`.
    public let feature: String
    public let chinese: String
    public let english: String
    public let logit: Double
    public let points: Double
    /// The feature's position in the spec (breaks ties).
    package let order: Int

    package func label(_ language: Language) -> String { language == .zh ? chinese : english }

    /// The reasons up: of `codes` (largest push up first), the first `count` that raise the score.
    package static func up(_ codes: [ReasonCode], _ count: Int) -> [ReasonCode] { Array(codes.prefix(count).filter { $0.logit > 0 }) }
}
