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
/// A trained model ready to score: read once, with its scorer on one assessment date. Immutable,
/// so one value can serve any number of threads; the service swaps in a new one on reload.
///
/// ```swift
/// let model = try ScoringModel(path: "Models/default-model.json", asOf: "2026-06-30")
/// ```
public final class ScoringModel: Sendable {
    /// The file as given.
    public let path: String
    /// The model as documents name it (the path, or the file's name in the service).
    public let name: String
    package let model: TrainedModel
    package let scorer: OfferScorer
    /// The assessment date of the eligibility rules, YYYY-MM-DD.
    public let asOf: String

    /// Reads and checks the model file at `path`.
    /// - Parameters:
    ///   - path: the model file (JSON written by `finrec train`).
    ///   - asOf: the rules' assessment date, YYYY-MM-DD.
    ///   - name: how documents name the model (default: `path`).
    ///   - threads: OpenBLAS threads per scoring call (one applicant: single-threaded).
    public convenience init(path: String, asOf: String, name: String? = nil, threads: ThreadPolicy = .singleThreaded) throws {
        try self.init(bytes: try ModelFile.contents(at: path), path: path, asOf: asOf, name: name, threads: threads)
    }

    /// Decodes a model file's bytes (read once by the caller, e.g. to hash what is parsed).
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - path: the file, as messages name it.
    ///   - asOf: the rules' assessment date, YYYY-MM-DD.
    ///   - name: how documents name the model (default: `path`).
    ///   - threads: OpenBLAS threads per scoring call.
    public init(bytes: [UInt8], path: String, asOf: String, name: String? = nil, threads: ThreadPolicy = .singleThreaded) throws {
        guard let day = CivilDate(isoDate: asOf) else { throw UseCaseError.date(asOf) }
        self.path = path
        self.name = name ?? path
        self.model = try TrainedModel.decode(bytes, path: path)
        self.scorer = try OfferScorer(model: model, asOf: day.daysSinceEpoch, threads: threads)
        self.asOf = asOf
    }
}
