import FinRecBase
import FinRecRecords
package import FinRecLinear
import FinRecFeatures
import FinRecCatalog
/// k-fold cross-validation that chooses each product's regularisation strength C from a grid by
/// out-of-fold log loss.
///
/// Folds are stratified per product: the product's labelled rows are shuffled with the seed and
/// its successes and failures dealt round-robin into the folds, so every fold holds about the same
/// share of each. All products are fitted together in each fold (a product's held-out rows are
/// simply unlabelled for that fit).
package enum CrossValidation {
    /// Out-of-fold figures of one product at one C.
    package struct Score: Sendable, Equatable {
        package let c: Double
        package let auc: Double
        package let logLoss: Double
    }

    package struct Selection: Sendable {
        /// Per product, the C with the lowest out-of-fold log loss (ties: the smaller C).
        package let chosen: [Double]
        /// Per product, the score of every C in the grid.
        package let scores: [[Score]]
        /// Per product, each row's out-of-fold logit at the chosen C (NaN where the row has no
        /// label for the product): what a calibration is fitted to.
        package let outOfFoldLogits: [[Double]]
    }

    /// For each product, each row's fold (0 ..< k), or −1 when the row has no label for it.
    package static func folds(labels: Matrix<Double>, k: Int, seed: UInt64) -> [[Int]] {
        precondition(k >= 2, "cross-validation needs at least 2 folds")
        return (0..<labels.columns).map { p in
            var fold = [Int](repeating: -1, count: labels.rows)
            var rng = SplitMix64(seed: seed, index: UInt64(p))
            for outcome in [0.0, 1.0] {
                var rows = (0..<labels.rows).filter { labels[$0, p] == outcome }
                rows.shuffle(using: &rng)
                for (i, r) in rows.enumerated() { fold[r] = i % k }
            }
            return fold
        }
    }

    /// Scores every C of `grid` by `k`-fold cross-validation and picks one per product.
    /// `adjust` turns a product's fitted weights into the weights the model would ship (the
    /// missing-data cap), so that out-of-fold figures measure the model as it scores.
    package static func select(_ data: TrainingSet, k: Int, grid: [Double], seed: UInt64, options: TrainerOptions,
                              adjust: (_ product: Int, _ weights: [Double]) -> [Double] = { $1 }) throws(LogisticTrainer.TrainingError) -> Selection {
        let n = data.labels.rows, products = data.labels.columns
        let assignment = folds(labels: data.labels, k: k, seed: seed)
        var scores = [[Score]](repeating: [], count: products)
        var best = [[Double]](repeating: [], count: products)
        for c in grid.sorted() {
            var trial = options
            trial.c = c
            trial.cPerProduct = nil
            trial.curvature = false  // out-of-fold fits need no uncertainty
            var outOfFold = [Double](repeating: .nan, count: n * products)
            for f in 0..<k {
                var labels = data.labels
                for p in 0..<products { for i in 0..<n where assignment[p][i] == f { labels[i, p] = .nan } }
                let fit = try LogisticTrainer(options: trial).fit(TrainingSet(features: data.features, labels: labels, sampleWeights: data.sampleWeights))
                let weights = Matrix(rowArrays: (0..<products).map { adjust($0, Array(fit.weights.row($0))) }, columns: fit.weights.columns)
                let logits = LinearScorer<Double>(weights: weights, intercepts: fit.intercepts).logits(for: data.features, threads: options.threads)
                for p in 0..<products { for i in 0..<n where assignment[p][i] == f { outOfFold[i * products + p] = logits[i, p] } }
            }
            for p in 0..<products {
                var probabilities: [Double] = [], outcomes: [Double] = []
                for i in 0..<n where assignment[p][i] >= 0 {
                    probabilities.append(Sigmoid.probability(outOfFold[i * products + p]))
                    outcomes.append(data.labels[i, p])
                }
                let m = BinaryMetrics(probabilities: probabilities, labels: outcomes)
                // Grid in ascending order: a later C replaces the best only when strictly better.
                if scores[p].allSatisfy({ m.logLoss < $0.logLoss }) {
                    best[p] = (0..<n).map { assignment[p][$0] >= 0 ? outOfFold[$0 * products + p] : .nan }
                }
                scores[p].append(Score(c: c, auc: m.auc, logLoss: m.logLoss))
            }
        }
        let chosen = scores.map { s in s.min { $0.logLoss < $1.logLoss || ($0.logLoss == $1.logLoss && $0.c < $1.c) }!.c }
        return Selection(chosen: chosen, scores: scores, outOfFoldLogits: best)
    }
}
