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
    /// How offers are ordered within a status: by probability, or priced offers by their cost
    /// after subsidies (`--sort cost`).
    public var order = ApplicantAssessment.Order.probability
    /// The loan prime rates to cost loans at, in place of the catalog's table on the assessment
    /// date (`--lpr`).
    public var lpr: LoanPrimeRate?

    public init() {}

    /// The one-year and five-year loan prime rates (贷款市场报价利率), annual fractions.
    public struct LoanPrimeRate: Sendable, Equatable {
        public let oneYear: Double
        public let fiveYear: Double

        /// The rates a loan prime rate can sensibly take (a fraction: 0.03 is 3%).
        public static let range = 0.0...0.2

        public init(oneYear: Double, fiveYear: Double) {
            self.oneYear = oneYear
            self.fiveYear = fiveYear
        }

        /// What a front end tells a user who wrote something else.
        public static let syntax = "the 1-year and the 5-year loan prime rate, e.g. 3.00%,3.50% (or 0.03,0.035), each from 0% to 20%"

        /// Reads "3.00%,3.50%" (one-year, five-year; percentages with their sign, or fractions
        /// such as 0.03); nil for anything else.
        public init?(parsing text: String) {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { $0 != " " }) }
            func rate(_ part: String) -> Double? {
                if part.hasSuffix("%") { return Double(part.dropLast()).map { $0 / 100 } }
                return Double(part)
            }
            guard parts.count == 2, let one = rate(parts[0]), let five = rate(parts[1]),
                  Self.range.contains(one), Self.range.contains(five) else { return nil }
            self.init(oneYear: one, fiveYear: five)
        }
    }

    /// The scorer's costing on ``lpr``'s rates.
    func costing(_ scorer: OfferScorer) -> Costing {
        scorer.costing.with(lpr: lpr.map { ($0.oneYear, $0.fiveYear) })
    }

    /// Throws when a number is outside its allowed values.
    public func validate() throws(OptionRangeError) {
        try OptionRangeError.check(reasons, .reasons, in: Self.reasonsRange)
        try OptionRangeError.check(maximumApplicants, .top, in: 1...ScoreDocument.maximumApplicants)
    }
}
