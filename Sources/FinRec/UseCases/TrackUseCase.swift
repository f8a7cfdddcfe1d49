import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecPlanning
import FinRecReports
import FinRecExport
import FinRecSynthetic
/// Follow a panel of yearly snapshots: the use case behind `finrec track`.
///
/// ```swift
/// let document = try TrackUseCase.track(path: "panel.csv", modelPath: "Models/default-model.json", movers: 10)
/// print(document.table())
/// ```
public enum TrackUseCase {
    /// Reads the panel at `path`, scores each year's rows on that year's assessment date (30 June
    /// after the fiscal year) and returns the transitions, the backtest and the movers.
    /// - Throws: `InputFileError` for bad input (the same id and fiscal year twice names both
    ///   lines; one year only is refused), model errors.
    public static func track(path: String, modelPath: String, movers: Int = 10, language: Language = .zh,
                             reading: ReaderOptions = ReaderOptions(), threads: ThreadPolicy = .singleThreaded) throws -> TrackDocument {
        let model = try TrainedModel.read(from: modelPath)
        var scorers: [Int: OfferScorer] = [:]
        func scorer(_ year: Int) throws -> OfferScorer {
            if let s = scorers[year] { return s }
            guard let day = CivilDate(year: year + 1, month: 6, day: 30) else { throw UseCaseError.date("\(year + 1)-06-30") }
            let s = try OfferScorer(model: model, asOf: day.daysSinceEpoch, threads: threads)
            scorers[year] = s
            return s
        }
        var options = reading
        options.detectDuplicateIds = false  // a firm appears once a year; (id, year) is checked below
        let reader = try EnterpriseFileReader(path: path, options: options)
        let catalog = model.catalog
        // The offers the model scores (their products), in catalog order.
        var track = PanelTrack(offers: catalog.offers.indices.filter { k in model.linear.products.contains { $0.id == catalog.offers[k].id } })
        do {
            while let chunk = try reader.nextChunk() {
                var scored: [Int: ScoredChunk] = [:]
                for year in Set(PanelTrack.fiscalYears(chunk).compactMap { $0 }) { scored[year] = try scorer(year).score(chunk, firstRow: 0) }
                try track.add(scored, chunk: chunk, catalog: catalog, path: path)
            }
            _ = try reader.finish()
            try track.finish(path: path)
            // The movers' reasons: a second read, scoring only what it must keep.
            let keys = track.moverKeys(count: movers)
            if !keys.isEmpty {
                let again = try EnterpriseFileReader(path: path, options: options)
                while let chunk = try again.nextChunk() {
                    let ids = chunk.ids, years = PanelTrack.fiscalYears(chunk)
                    let wanted = Set((0..<chunk.rowCount).compactMap { r in years[r].flatMap { keys.contains("\(ids[r])|\($0)") ? $0 : nil } })
                    guard !wanted.isEmpty else { continue }
                    var scored: [Int: ScoredChunk] = [:]
                    for year in wanted { scored[year] = try scorer(year).score(chunk, firstRow: 0) }
                    track.addReasons(scored, chunk: chunk, scorer: try scorer(wanted.min()!), keys: keys, language: language)
                }
                _ = try again.finish()
            }
        } catch let error as PanelTrack.HistoryError {
            throw error.inputFileError
        }
        return TrackDocument(track: track, catalog: catalog, movers: movers, modelPath: modelPath, panelPath: path,
                             probabilityNote: model.provenance.probabilityNote(language), language: language)
    }
}
