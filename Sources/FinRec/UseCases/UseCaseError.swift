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
/// Why a use case refused its request. Errors in the input itself (a file's line, column and
/// field) are `InputFileError`s and pass through unchanged.
public enum UseCaseError: Error, Sendable {
    case option(OptionRangeError)
    /// The assessment date is not a YYYY-MM-DD calendar date.
    case date(String)
    /// More applicants than one document holds; `input` names the file or request.
    case tooManyApplicants(input: String, limit: Int)
    /// The input holds no applicant.
    case noApplicant(input: String)
    /// An offer id the catalog lacks, or one the model has no weights for.
    case offer(OfferSelectionError, catalog: [String])
    /// A `where` condition that does not compile.
    case condition(String, ExpressionError)

    /// What went wrong and what to do, with the options spelt as the front end takes them.
    public func message(_ spelling: UseCaseOption.Spelling) -> String {
        switch self {
        case .option(let error): error.message(spelling)
        case .date(let text): "the assessment date \(text) is not a calendar date; write it as YYYY-MM-DD, e.g. 2026-06-30"
        case .tooManyApplicants(let input, let limit):
            "\(input): more than \(limit) applicants; rank pools with `finrec rank` or POST /v1/rank"
        case .noApplicant(let input):
            "\(input): has no applicant in it; give one enterprise or more (a JSON object, or CSV lines under a header; Datasets/applicants/ has examples)"
        case .offer(.unknown(let id), let catalog):
            UseCaseOption.product.given(id, spelling) + ": no such offer; the catalog has " + catalog.joined(separator: ", ")
        case .offer(.noWeights(let offer), _):
            UseCaseOption.product.given(offer.id, spelling) + ": the model has no weights for \(offer.displayName), so it has no top list; add "
                + UseCaseOption.nearMiss.given("N", spelling) + " for the enterprises closest to it, or retrain with its label column"
        case .condition(let text, let error): UseCaseOption.condition.given(text, spelling) + ": \(error)"
        }
    }
}

extension UseCaseError: CustomStringConvertible {
    /// The message with the command line's spelling of the options.
    public var description: String { message(.commandLine) }
}
