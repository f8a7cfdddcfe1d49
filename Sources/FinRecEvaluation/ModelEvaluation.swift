package import FinRecBase
package import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
package import FinRecModel
import FinRecInference
#if canImport(Glibc)
import Glibc
#endif

/// How well a trained model does on labelled enterprises: per offer, the binary metrics and pool
/// ranking quality; per enterprise, how well the offers it is eligible for are ranked.
package struct ModelEvaluation: Sendable {
    package struct ProductReport: Sendable {
        package let id: String
        package let chineseName: String
        package let metrics: BinaryMetrics
        /// The AUC of the true probabilities (`truth_<id>` columns of generated data), if present.
        package let oracleAUC: Double?
        /// Share of successes among the `top` highest-scored labelled rows.
        package let precisionAtTop: Double
        /// precisionAtTop ÷ the success rate of all labelled rows.
        package let liftAtTop: Double
        /// Each counted row's logit and outcome (for gains tables, curves and reports).
        package let logits: [Double]
        package let outcomes: [Double]
    }

    package let products: [ProductReport]
    package let top: Int
    /// Mean NDCG@3 of each enterprise's eligible, labelled offers ranked by probability, over
    /// enterprises with at least one success among them.
    package let ndcgAt3: Double
    /// Share of those enterprises whose top-ranked offer was a success.
    package let hitAt1: Double
    package let enterprisesRanked: Int
    package let rows: Int
    /// The model's points scale.
    package let scaling: ScoreScaling

    /// Per product, the gains table of its points over the counted rows.
    package func gains(bands: Int) -> [GainsTable] {
        products.map { GainsTable(points: $0.logits.map(scaling.points(logit:)), outcomes: $0.outcomes, bands: bands) }
    }

    /// Evaluates `model` on the labelled file at `path`. Rows count for an offer when labelled and
    /// not ruled out by its eligibility rule (as in training).
    package static func evaluate(model: TrainedModel, path: String, asOf: Int, top: Int = 100,
                                reading: ReaderOptions = ReaderOptions(), threads: ThreadPolicy = .allCores) throws(InputFileError) -> ModelEvaluation {
        let reader = try EnterpriseFileReader(path: path, schema: model.features.schema, options: reading)
        let scorer: OfferScorer
        do { scorer = try OfferScorer(model: model, asOf: asOf, threads: threads) } catch {
            throw InputFileError(path: path, message: "the model's catalog does not compile: \(error)")
        }
        let products = model.linear.products
        // Each product's catalog offer (rows of a product without one count as undecided).
        let offerIndex = products.map { product in model.catalog.offers.firstIndex { $0.id == product.id } }
        // Per product, each counted row's logit, outcome and (generated data) true probability.
        var productLogits = [[Double]](repeating: [], count: products.count)
        var outcomes = productLogits, truths = productLogits
        var hasTruth = [Bool](repeating: true, count: products.count)
        var ndcgSum = 0.0, hits = 0, ranked = 0, rows = 0
        while let chunk = try reader.nextChunk() {
            let scored = scorer.score(chunk, firstRow: rows)
            rows += chunk.rowCount
            let logits = scored.logits
            var labelColumns: [TextColumn?] = []
            var truthColumns: [TextColumn?] = []
            for product in products {
                labelColumns.append(chunk.extraNames.firstIndex(of: model.labelPrefix + product.id).map { chunk.extra($0) })
                truthColumns.append(chunk.extraNames.firstIndex(of: "truth_" + product.id).map { chunk.extra($0) })
            }
            for r in 0..<chunk.rowCount {
                var enterprise: [(p: Double, y: Double)] = []
                for (p, product) in products.enumerated() {
                    guard let y = try OutcomeLabel.parse(labelColumns[p]?[r], path: path, line: chunk.lines[r],
                                                         field: model.labelPrefix + product.id) else { continue }
                    let status = offerIndex[p].map { scored.status(offer: $0, row: r) } ?? .unknown
                    if status == .fail { continue }
                    let probability = Sigmoid.probability(logits[r, p])
                    productLogits[p].append(logits[r, p])
                    outcomes[p].append(y)
                    if let t = truthColumns[p]?[r], let v = Double(t) { truths[p].append(v) } else { hasTruth[p] = false }
                    if status == .pass { enterprise.append((probability, y)) }
                }
                guard enterprise.contains(where: { $0.y == 1 }) else { continue }
                enterprise.sort { $0.p > $1.p }
                let gains = enterprise.map(\.y)
                func dcg(_ g: [Double]) -> Double {
                    g.prefix(3).enumerated().reduce(0) { $0 + $1.element / log2(Double($1.offset) + 2) }
                }
                ndcgSum += dcg(gains) / dcg(gains.sorted(by: >))
                if gains[0] == 1 { hits += 1 }
                ranked += 1
            }
        }
        _ = try reader.finish()
        guard rows > 0 else { throw InputFileError(path: reader.path, message: "has no rows to evaluate on (only a header?)") }
        let reports = products.enumerated().map { p, product -> ProductReport in
            let probabilities = productLogits[p].map(Sigmoid.probability)
            let metrics = BinaryMetrics(probabilities: probabilities, labels: outcomes[p])
            let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            let k = min(top, order.count)
            let precision = k > 0 ? order.prefix(k).reduce(0) { $0 + outcomes[p][$1] } / Double(k) : .nan
            let oracle = hasTruth[p] && !truths[p].isEmpty ? BinaryMetrics(probabilities: truths[p], labels: outcomes[p]).auc : nil
            return ProductReport(id: product.id, chineseName: product.chineseName, metrics: metrics, oracleAUC: oracle,
                                 precisionAtTop: precision, liftAtTop: precision / metrics.positiveRate, logits: productLogits[p], outcomes: outcomes[p])
        }
        return ModelEvaluation(products: reports, top: top, ndcgAt3: ranked > 0 ? ndcgSum / Double(ranked) : .nan,
                               hitAt1: ranked > 0 ? Double(hits) / Double(ranked) : .nan, enterprisesRanked: ranked, rows: rows,
                               scaling: model.scaling)
    }
}

extension TrainedModel {
    /// The model with `evaluation` (of a hold-out file the model was not trained on) recorded in
    /// its metrics: per offer under `holdout`, and the file, its SHA-256 and the per-enterprise
    /// figures under the top-level `holdout` entry.
    package func recordingHoldout(_ evaluation: ModelEvaluation, file: String, sha256: String) -> TrainedModel {
        func n(_ x: Double) -> Double? { x.isFinite ? x : nil }
        var metrics = self.metrics
        for p in evaluation.products {
            let m = p.metrics
            metrics[p.id]?.holdout = HoldoutMetrics(rows: m.count, positiveRate: n(m.positiveRate), auc: n(m.auc), ks: n(m.ks),
                                                    logLoss: n(m.logLoss), brier: n(m.brier),
                                                    precisionAtTop: n(p.precisionAtTop), liftAtTop: n(p.liftAtTop))
        }
        metrics.holdout = HoldoutSummary(file: file, sha256: sha256, rows: evaluation.rows, top: evaluation.top,
                                         ndcgAt3: n(evaluation.ndcgAt3), hitAt1: n(evaluation.hitAt1))
        return TrainedModel(linear: linear, features: features, catalog: catalog, scaling: scaling,
                            metrics: metrics, hyperparameters: hyperparameters, provenance: provenance, uncertainty: uncertainty)
    }
}
