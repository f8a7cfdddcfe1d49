import FinRecBase
import FinRecRecords
import FinRecLinear
/// The sign a weight may take: a monotone constraint on its feature column.
package enum WeightSign: String, Sendable, Equatable, CaseIterable {
    case free
    /// The score may only rise with the feature ("+").
    case nonNegative = "+"
    /// The score may only fall with the feature ("-").
    case nonPositive = "-"
}
