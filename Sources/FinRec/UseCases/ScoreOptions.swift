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
/// What assessing applicants takes besides the applicants: the defaults and allowed values every
/// front end (`finrec score`, `POST /v1/score`, the page) uses.
public struct ScoreOptions: Sendable {
    /// How many reason codes up and down are shown per offer.
    public static let reasonsRange = 0...50

    /// The language of reasons and labels (offer names always show their Chinese name).
    public var language = Language.zh
    /// Reason codes shown per direction and offer.
    public var reasons = 3
    /// The most applicants one document holds (pools go to ``RankUseCase``); a front end may
    /// allow fewer (the page takes 100).
    public var maximumApplicants = ScoreDocument.maximumApplicants

    public init() {}

    /// Throws when a number is outside its allowed values.
    public func validate() throws(OptionRangeError) {
        try OptionRangeError.check(reasons, .reasons, in: Self.reasonsRange)
        try OptionRangeError.check(maximumApplicants, .top, in: 1...ScoreDocument.maximumApplicants)
    }
}
