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
/// What ranking a pool takes besides the pool: the defaults and allowed values every front end
/// (`finrec rank`, `POST /v1/rank`) uses.
public struct RankOptions: Sendable {
    /// Enterprises kept per offer (eligible and undecided each).
    public static let topRange = 1...Int.max
    /// Near-misses listed per offer.
    public static let nearMissRange = 0...Int.max
    /// The most `top` and near-misses one request to the shared service may ask for (its
    /// memory serves every client); the command line is bounded by the machine only.
    public static let requestLimit = 10_000

    /// Enterprises kept per offer, eligible and undecided each.
    public var top = 100
    /// Offer ids to rank; empty ranks every offer the model has a product for.
    public var products: [String] = []
    /// Per offer, the enterprises that do not pass but are nearest to it by a way open now.
    public var nearMisses = 0
    /// Reason codes kept per listed enterprise.
    public var reasons = 3
    /// The language of reasons and gaps.
    public var language = Language.zh
    /// Rank only the enterprises for which this rule-language condition holds.
    public var condition: String?
    /// Threads that decode and score (one more splits records).
    public var workers = 1

    public init() {}

    /// Throws when a number is outside its allowed values.
    public func validate() throws(OptionRangeError) {
        try OptionRangeError.check(top, .top, in: Self.topRange)
        try OptionRangeError.check(reasons, .reasons, in: ScoreOptions.reasonsRange)
        try OptionRangeError.check(nearMisses, .nearMiss, in: Self.nearMissRange)
        try OptionRangeError.check(workers, .threads, in: 1...Int.max)
    }
}
