import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How well one product's predicted probabilities match its 0/1 outcomes.
package struct BinaryMetrics: Sendable, Equatable {
    /// One decile of the calibration table: rows sorted by predicted probability, cut into ten
    /// groups of (nearly) equal size.
    package struct CalibrationBin: Sendable, Equatable {
        package let count: Int
        package let meanPredicted: Double
        package let observedRate: Double
    }

    package let count: Int
    package let positives: Int
    package var positiveRate: Double { count > 0 ? Double(positives) / Double(count) : .nan }
    /// Area under the ROC curve; ties count one half (Mann–Whitney).
    package let auc: Double
    /// Kolmogorov–Smirnov statistic: the largest gap between the cumulative shares of positives
    /// and negatives over all thresholds.
    package let ks: Double
    /// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15].
    package let logLoss: Double
    /// Mean squared error of the probabilities.
    package let brier: Double
    package let calibration: [CalibrationBin]
    /// Expected calibration error over the calibration deciles: Σ (count/n)·|mean predicted −
    /// observed rate|; NaN without rows.
    package var expectedCalibrationError: Double {
        guard count > 0 else { return .nan }
        return calibration.reduce(0) { $0 + Double($1.count) / Double(count) * abs($1.meanPredicted - $1.observedRate) }
    }

    /// Metrics of `probabilities` against `labels` (0 or 1); rows whose label is NaN are skipped.
    /// - Complexity: O(n log n).
    package init(probabilities: [Double], labels: [Double]) {
        precondition(probabilities.count == labels.count, "one probability per label")
        var pairs: [(p: Double, y: Double)] = []
        pairs.reserveCapacity(labels.count)
        for (p, y) in zip(probabilities, labels) where !y.isNaN { pairs.append((p, y)) }
        pairs.sort { $0.p < $1.p }
        let n = pairs.count
        let pos = pairs.reduce(0) { $0 + ($1.y == 1 ? 1 : 0) }
        let neg = n - pos
        count = n
        positives = pos
        // AUC by ranks with ties averaged; KS over thresholds between distinct probabilities.
        var rankSum = 0.0, seenPos = 0, seenNeg = 0, ksMax = 0.0
        var i = 0
        while i < n {
            var j = i
            var groupPos = 0
            while j < n && pairs[j].p == pairs[i].p {
                if pairs[j].y == 1 { groupPos += 1 }
                j += 1
            }
            let averageRank = Double(i + 1 + j) / 2  // ranks i+1 … j
            rankSum += averageRank * Double(groupPos)
            seenPos += groupPos
            seenNeg += (j - i) - groupPos
            if pos > 0 && neg > 0 {
                ksMax = max(ksMax, abs(Double(seenNeg) / Double(neg) - Double(seenPos) / Double(pos)))
            }
            i = j
        }
        auc = pos > 0 && neg > 0 ? (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg)) : .nan
        ks = pos > 0 && neg > 0 ? ksMax : .nan
        var loss = 0.0, squared = 0.0
        for (p, y) in pairs {
            let q = min(max(p, 1e-15), 1 - 1e-15)
            loss -= y == 1 ? log(q) : log(1 - q)
            squared += (p - y) * (p - y)
        }
        logLoss = n > 0 ? loss / Double(n) : .nan
        brier = n > 0 ? squared / Double(n) : .nan
        var bins: [CalibrationBin] = []
        if n > 0 {
            for b in 0..<10 {
                let lo = b * n / 10, hi = (b + 1) * n / 10
                guard hi > lo else { continue }
                let slice = pairs[lo..<hi]
                bins.append(CalibrationBin(count: hi - lo, meanPredicted: slice.reduce(0) { $0 + $1.p } / Double(hi - lo),
                                           observedRate: slice.reduce(0) { $0 + $1.y } / Double(hi - lo)))
            }
        }
        calibration = bins
    }
}
