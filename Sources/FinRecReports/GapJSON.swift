import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
extension EligibilityGap.Item {
    /// One shortfall as `score --format json` and `rank` JSON show it (``ScoreReport/Gap/Shortfall``).
    var json: JSONValue { ScoreReport.Gap.Shortfall(self).json }
}

extension EligibilityGap {
    /// `{"distance", "reachable", "next_accounts", "standards", "items"}` (``ScoreReport/Gap``).
    var json: JSONValue { ScoreReport.Gap(self).json }
}

extension OfferPath {
    /// The path as the score JSON shows it (``ScoreReport/Path``).
    var json: JSONValue { ScoreReport.Path(self).json }
}
