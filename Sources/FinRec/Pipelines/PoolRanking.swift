import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecReports
import FinRecExport
import FinRecSynthetic
/// One ranking of a whole pool (`finrec rank`): reads the file on several threads, scores each
/// chunk, feeds the top lists in file order and, optionally, streams every enterprise's best offer.
///
/// ```swift
/// let scorer = try OfferScorer(model: try TrainedModel.read(from: "Models/default-model.json"), asOf: day)
/// let ranking = PoolRanking(scorer: scorer, offers: [0, 1], top: 100)
/// let ranker = try ranking.run(try EnterpriseFileReader(path: "pool.csv"))
/// let document = RankDocument(ranker: ranker, scorer: scorer, modelPath: "…", asOf: "2026-06-30")
/// ```
/// Why offer ids given for ranking cannot be ranked.
public enum OfferSelectionError: Error, Sendable {
    /// The catalog has no offer with this id.
    case unknown(id: String)
    /// The model has no weights for this offer, so it has no top list (only near-misses).
    case noWeights(Catalog.Offer)
}

extension OfferScorer {
    /// The catalog indices of the offers `ids` names, in that order; every offer the model has a
    /// product for when `ids` is empty. An offer without weights is accepted only when
    /// `allowingRulesOnly` (its near-misses can still be listed).
    package func offerIndices(_ ids: [String], allowingRulesOnly: Bool) throws(OfferSelectionError) -> [Int] {
        if ids.isEmpty { return catalog.offers.indices.filter { productIndex[$0] != nil } }
        var indices: [Int] = []
        for id in ids {
            guard let k = catalog.offers.firstIndex(where: { $0.id == id }) else { throw .unknown(id: id) }
            // A policy is listed by its benefit; another offer without weights only by its near-misses.
            guard productIndex[k] != nil || catalog.offers[k].benefit != nil || allowingRulesOnly else { throw .noWeights(catalog.offers[k]) }
            indices.append(k)
        }
        return indices
    }
}

package struct PoolRanking: Sendable {
    package let scorer: OfferScorer
    /// Catalog indices of the offers ranked.
    package let offers: [Int]
    package let top: Int
    package let reasonCount: Int
    /// Threads that decode and score (one more splits records).
    package let workers: Int
    /// Per offer, how many enterprises that do not pass to keep, nearest first (0: none).
    package var nearMisses = 0
    /// The language of the near-misses' gaps.
    package var language = Language.zh
    /// Only rows for which this condition holds are ranked (`--where`); nil ranks every row.
    package var filter: CompiledExpression?

    package init(scorer: OfferScorer, offers: [Int], top: Int, reasonCount: Int = 3, workers: Int = 1) {
        self.scorer = scorer
        self.offers = offers
        self.top = top
        self.reasonCount = reasonCount
        self.workers = workers
    }

    /// Compiles a `--where` condition over the enterprise fields and the catalog's definitions.
    package static func filter(_ text: String, scorer: OfferScorer) throws(ExpressionError) -> CompiledExpression {
        try CompiledExpression(try ExpressionParser.parse(text), in: scorer.catalog.environment(schema: scorer.model.features.schema), boolean: true)
    }

    /// Ranks every enterprise `reader` yields. With `best`, each chunk's best-offer lines are
    /// formatted on the workers and appended in file order (the caller commits or discards the
    /// file). `progress` and `shouldStop` are as for ``ChunkPipeline/run(progress:shouldStop:)``;
    /// a stop throws ``Interrupted``. Throws when the input has no enterprise.
    ///
    /// Results are identical for any `workers` and chunk size.
    package func run(_ reader: EnterpriseFileReader, best: BestOfferFile? = nil,
                    progress: (EnterpriseFileReader, _ rowsScanned: Int) -> Void = { _, _ in },
                    shouldStop: () -> Bool = { false }) throws -> PoolRanker {
        let scorer = self.scorer, offers = self.offers, filter = self.filter, nearMisses = self.nearMisses
        var ranker = PoolRanker(offers: offers, top: top, reasonCount: reasonCount, nearMisses: nearMisses, language: language,
                                policies: offers.map { scorer.catalog.offers[$0].benefit != nil })
        let lines = best.map { BestOfferLines(catalog: scorer.catalog, scaling: scorer.model.scaling, jsonLines: $0.jsonLines) }
        let pipeline = ChunkPipeline<Scored>(
            reader: reader, workers: workers,
            transform: { chunk, first in
                // Scoring and the best-offer lines run on the workers; only the top lists are in order.
                let scored = scorer.score(chunk, firstRow: first)
                var selected: [Bool]?
                if let filter, case .truths(let t) = filter.evaluate(chunk, parameters: scorer.parameters) { selected = t.map { $0 == .pass } }
                var best = lines.map { _ in PoolRanker.bestOffers(scored, offers: offers, scorer: scorer) }
                if let selected, let all = best { best = zip(all, selected).filter(\.1).map(\.0) }
                let distances = nearMisses > 0 ? offers.map { scorer.gaps.distances(scored.eligibility, offer: $0) } : nil
                return Scored(chunk: scored, first: first, bestLines: best.flatMap { lines?.lines($0) }, selected: selected, distances: distances)
            },
            consume: { item in
                ranker.add(item.chunk, scorer: scorer, firstSequence: item.first, selected: item.selected, distances: item.distances)
                if let bytes = item.bestLines { try best?.write(bytes) }
            })
        try pipeline.run(progress: progress, shouldStop: shouldStop)
        guard ranker.rows > 0 else {
            if ranker.filteredOut > 0 {
                throw InputFileError(path: reader.path, message: "no enterprise meets the --where condition (\(ranker.filteredOut) left out); nothing was written")
            }
            throw InputFileError(path: reader.path, message: "has no enterprises to rank (only a header?); nothing was written")
        }
        return ranker
    }

    /// A scored chunk, the input position of its first row, and its best-offer lines.
    private struct Scored: Sendable {
        let chunk: ScoredChunk
        let first: Int
        let bestLines: [UInt8]?
        let selected: [Bool]?
        let distances: [[Double]]?
    }
}
