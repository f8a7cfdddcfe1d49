import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
/// The strategy (gains) table of one product: score bands from the highest down, with each
/// band's rows, successes and failures and, cumulated from the top, what a cut-off at the band's
/// lower edge would approve — the approval rate, the success rate among the approved, the share
/// of all successes and failures they hold, and the KS at that cut-off.
package struct GainsTable: Sendable, Equatable {
    package struct Band: Sendable, Equatable {
        /// Points range: lower edge (inclusive, -∞ for the lowest band) and upper edge (exclusive,
        /// +∞ for the highest).
        package let lower: Double
        package let upper: Double
        package let rows: Int
        package let successes: Double
        package var failures: Double { Double(rows) - successes }
        package var successRate: Double { rows > 0 ? successes / Double(rows) : .nan }
        /// From the top band down to this one.
        package let cumulativeRows: Int
        package let cumulativeSuccesses: Double
        package let approvalRate: Double
        package var cumulativeSuccessRate: Double { cumulativeRows > 0 ? cumulativeSuccesses / Double(cumulativeRows) : .nan }
        /// Share of all successes (failures) at or above the band's lower edge.
        package let successesCaptured: Double
        package let failuresCaptured: Double
        package var ks: Double { successesCaptured - failuresCaptured }
        /// The band's success rate over the overall rate.
        package let lift: Double
    }

    package let bands: [Band]
    package let rows: Int
    package let successRate: Double

    /// Bands of about equal population by points (quantile edges; equal points stay in one band,
    /// so heavy ties give fewer bands), highest first.
    package init(points: [Double], outcomes: [Double], bands count: Int = 10) {
        precondition(points.count == outcomes.count, "one outcome per score")
        let cuts = OptimalBinning.quantileCuts(sorted: points.sorted(), count: count)
        let bins = FittedBins(cuts: cuts, special: [])
        var rowsIn = [Int](repeating: 0, count: bins.ordinaryBins), successesIn = [Double](repeating: 0, count: bins.ordinaryBins)
        for (x, y) in zip(points, outcomes) {
            let k = bins.slot(x)
            rowsIn[k] += 1
            successesIn[k] += y
        }
        let n = points.count, totalSuccesses = outcomes.reduce(0, +), totalFailures = Double(n) - totalSuccesses
        let rate = n > 0 ? totalSuccesses / Double(n) : .nan
        var bands: [Band] = [], cumulativeRows = 0, cumulativeSuccesses = 0.0
        for k in stride(from: bins.ordinaryBins - 1, through: 0, by: -1) {
            cumulativeRows += rowsIn[k]
            cumulativeSuccesses += successesIn[k]
            let bandRate = rowsIn[k] > 0 ? successesIn[k] / Double(rowsIn[k]) : .nan
            bands.append(Band(lower: k > 0 ? cuts[k - 1] : -.infinity, upper: k < cuts.count ? cuts[k] : .infinity, rows: rowsIn[k], successes: successesIn[k],
                              cumulativeRows: cumulativeRows, cumulativeSuccesses: cumulativeSuccesses,
                              approvalRate: n > 0 ? Double(cumulativeRows) / Double(n) : .nan,
                              successesCaptured: totalSuccesses > 0 ? cumulativeSuccesses / totalSuccesses : .nan,
                              failuresCaptured: totalFailures > 0 ? (Double(cumulativeRows) - cumulativeSuccesses) / totalFailures : .nan,
                              lift: bandRate / rate))
        }
        self.bands = bands
        rows = n
        successRate = rate
    }

    /// "≥ 612", "[588, 612)", "< 540".
    package static func label(_ band: Band) -> String {
        func p(_ x: Double) -> String { Fixed.exact(x, digits: 0) }
        if band.lower == -.infinity && band.upper == .infinity { return "all" }
        if band.upper == .infinity { return "≥ " + p(band.lower) }
        if band.lower == -.infinity { return "< " + p(band.upper) }
        return "[\(p(band.lower)), \(p(band.upper)))"
    }
}
