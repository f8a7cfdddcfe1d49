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
/// Rank a pool: the use case behind `finrec rank` and `POST /v1/rank`.
///
/// ```swift
/// let model = try ScoringModel(path: "Models/default-model.json", asOf: "2026-06-30")
/// var options = RankOptions()
/// options.products = ["bse", "star"]
/// options.nearMisses = 20
/// let document = try RankUseCase.rank(try EnterpriseFileReader(path: "pool.csv"), model: model, options: options)
/// print(document.csv())
/// ```
public enum RankUseCase {
    /// The catalog indices of the offers `options` ranks, checked.
    package static func offers(_ options: RankOptions, model: ScoringModel) throws(UseCaseError) -> [Int] {
        let scorer = model.scorer
        do {
            return try scorer.offerIndices(options.products, allowingRulesOnly: options.nearMisses > 0)
        } catch {
            throw .offer(error, catalog: scorer.catalog.offers.map(\.displayName))
        }
    }

    /// The ranking `options` asks for, checked: the offers, the `where` condition compiled.
    package static func ranking(_ options: RankOptions, model: ScoringModel) throws(UseCaseError) -> PoolRanking {
        do { try options.validate() } catch { throw .option(error) }
        let scorer = model.scorer
        var ranking = PoolRanking(scorer: scorer, offers: try offers(options, model: model), top: options.top,
                                  reasonCount: options.reasons, workers: options.workers)
        ranking.nearMisses = options.nearMisses
        ranking.language = options.language
        if let condition = options.condition {
            do { ranking.filter = try PoolRanking.filter(condition, scorer: scorer) } catch { throw .condition(condition, error) }
        }
        return ranking
    }

    /// Every enterprise `reader` yields, ranked per offer: the top eligible and undecided, the
    /// near-misses, and (with `best`) every enterprise's best offer streamed in input order.
    /// `progress` and `shouldStop` are as for `PoolRanking`.
    ///
    /// Results are identical for any `workers` and chunk size; ties are broken by enterprise id.
    ///
    /// - Complexity: O(n · (F + K · C) + n · K · log top) for n enterprises, F features, K offers
    ///   and C conditions per offer; memory O(workers · chunk + K · (top + near-misses)).
    /// - Throws: ``UseCaseError`` (options, offers, the condition), `InputFileError` for bad
    ///   input, `Interrupted` when `shouldStop` says so.
    public static func rank(_ reader: EnterpriseFileReader, model: ScoringModel, options: RankOptions, best: BestOfferFile? = nil,
                            progress: (EnterpriseFileReader, _ rowsScanned: Int) -> Void = { _, _ in },
                            shouldStop: () -> Bool = { false }, report: (ReadReport) -> Void = { _ in }) throws -> RankDocument {
        let ranking = try ranking(options, model: model)
        let ranker = try ranking.run(reader, best: best, progress: progress, shouldStop: shouldStop)
        report(try reader.finish())
        return RankDocument(ranker: ranker, scorer: model.scorer, modelPath: model.name, asOf: model.asOf, language: options.language)
    }
}
