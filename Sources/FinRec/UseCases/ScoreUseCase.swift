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
/// Assess applicants: the use case behind `finrec score`, `POST /v1/score` and the officer's page.
/// A front end reads its input, calls this, and renders the document it gets back.
///
/// ```swift
/// let model = try ScoringModel(path: "Models/default-model.json", asOf: "2026-06-30")
/// let reader = try EnterpriseFileReader(bytes: body, name: "request body")
/// let document = try ScoreUseCase.assess(reader, model: model, options: ScoreOptions())
/// print(document.render(.json))
/// ```
public enum ScoreUseCase {
    /// Every applicant `reader` yields, assessed: all offers ranked, with probability, points,
    /// reason codes, the rules that block the rest and the gap to them.
    ///
    /// Reads to the end of the input (checking every row) and warns about nothing: unknown columns
    /// are in the reader's `ReadReport`, which `report` receives.
    ///
    /// - Complexity: O(n · (F + K · C)) for n applicants, F features, K offers and C conditions
    ///   per offer; one BLAS matrix product per chunk for the logits.
    /// - Throws: ``UseCaseError`` (options, too many or no applicants), `InputFileError` for bad input.
    public static func assess(_ reader: EnterpriseFileReader, model: ScoringModel, options: ScoreOptions,
                              report: (ReadReport) -> Void = { _ in }) throws -> ScoreDocument {
        do { try options.validate() } catch { throw UseCaseError.option(error) }
        var results: [ApplicantAssessment] = []
        while let chunk = try reader.nextChunk() {
            guard results.count + chunk.rowCount <= options.maximumApplicants else {
                throw UseCaseError.tooManyApplicants(input: reader.path, limit: options.maximumApplicants)
            }
            results += ApplicantAssessment.assess(model.scorer.score(chunk, firstRow: results.count), with: model.scorer, language: options.language,
                                                  costing: options.costing(model.scorer), order: options.order)
        }
        let read = try reader.finish()
        report(read)
        guard !results.isEmpty else { throw UseCaseError.noApplicant(input: reader.path) }
        var document = ScoreDocument(results: results, scorer: model.scorer, language: options.language, reasons: options.reasons,
                                     modelPath: model.name, asOf: model.asOf)
        document.inputEncoding = read.encoding
        return document
    }

    /// Every enterprise of an input of any size, one line per enterprise and offer, written as
    /// UTF-8 in input order through `write` while later chunks are still being scored (`finrec score
    /// --format csv|rows`); each buffer `write` gets is valid only during that call. Returns the
    /// number of enterprises.
    ///
    /// - Complexity: as ``assess(_:model:options:report:)`` per enterprise; memory is bounded by
    ///   `workers + 1` chunks whatever the input's size.
    public static func stream(_ reader: EnterpriseFileReader, model: ScoringModel, options: ScoreOptions, lines: ScoreLines,
                              workers: Int, write: @escaping (UnsafeRawBufferPointer) throws -> Void, report: (ReadReport) -> Void = { _ in }) throws -> Int {
        do { try options.validate() } catch { throw UseCaseError.option(error) }
        let format: PoolScoring.Format = switch lines {
        case .rows: .rows(reasons: options.reasons, costing: options.costing(model.scorer))
        case .csv: .csv(language: options.language, reasons: options.reasons, modelPath: model.name, asOf: model.asOf,
                        costing: options.costing(model.scorer), order: options.order)
        }
        let count = try PoolScoring(scorer: model.scorer, workers: workers, format: format).run(reader, write: write)
        report(try reader.finish())
        return count
    }

    /// The streamed line formats.
    public enum ScoreLines: String, Sendable {
        /// The officer's CSV: every offer ranked, with gaps and paths.
        case csv
        /// One line per enterprise and offer in catalog order, as the exports give.
        case rows
    }
}
