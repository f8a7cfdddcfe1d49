import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Platt scaling: a product's calibrated probability is σ(a·z + b) for its model's logit z, with
/// slope a > 0 and intercept b fitted by maximum likelihood to out-of-fold logits (logits of rows
/// the fit did not see), with Platt's smoothed targets (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2).
///
/// Platt rather than isotonic regression: an affine map of the logit folds into the linear model
/// (weights × a, intercept × a + b), so points, reason codes, the missing-data cap, the monotone
/// directions (a > 0 keeps every sign) and exports to other engines stay one linear model; an
/// isotonic step function would not.
package struct PlattScaling: Sendable, Equatable {
    package var slope: Double
    package var intercept: Double

    package init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    package static let identity = PlattScaling(slope: 1, intercept: 0)

    /// The calibrated logit a·z + b.
    package func logit(_ z: Double) -> Double { slope * z + intercept }

    /// Why a calibration could not be fitted.
    package enum FitError: Error, Equatable, CustomStringConvertible {
        case oneOutcome
        case notIncreasing(slope: Double)

        package var description: String {
            switch self {
            case .oneOutcome: "its out-of-fold rows hold only one outcome"
            case .notIncreasing(let slope): "the fitted slope \(slope) is not positive: the model's out-of-fold ranking is no better than chance"
            }
        }
    }

    /// Fits a and b to `logits` and 0/1 `labels` (optionally weighted) by Newton's method on the
    /// two parameters, started at Platt's point (0, log((N₋ + 1)/(N₊ + 1))).
    package static func fit(logits: [Double], labels: [Double], weights: [Double]? = nil) throws(FitError) -> PlattScaling {
        precondition(logits.count == labels.count && (weights?.count ?? logits.count) == logits.count, "one logit and weight per label")
        var negatives = 0.0, positives = 0.0
        for i in labels.indices {
            if labels[i] > 0 { positives += weights?[i] ?? 1 } else { negatives += weights?[i] ?? 1 }
        }
        guard positives > 0, negatives > 0 else { throw .oneOutcome }
        let high = (positives + 1) / (positives + 2), low = 1 / (negatives + 2)
        func loss(_ a: Double, _ b: Double) -> Double {
            var sum = 0.0
            for i in logits.indices {
                let u = a * logits[i] + b, t = labels[i] > 0 ? high : low
                // −t·log σ(u) − (1 − t)·log(1 − σ(u)) = log(1 + e^u) − t·u
                sum += (weights?[i] ?? 1) * (Sigmoid.softplus(u) - t * u)
            }
            return sum
        }
        var a = 0.0, b = log((negatives + 1) / (positives + 1))
        var current = loss(a, b)
        for _ in 0..<100 {
            var g0 = 0.0, g1 = 0.0, h00 = 0.0, h01 = 0.0, h11 = 0.0
            for i in logits.indices {
                let z = logits[i], s = weights?[i] ?? 1
                let p = Sigmoid.probability(a * z + b), r = p - (labels[i] > 0 ? high : low), v = max(p * (1 - p), 1e-300)
                g0 += s * r * z
                g1 += s * r
                h00 += s * v * z * z
                h01 += s * v * z
                h11 += s * v
            }
            let determinant = h00 * h11 - h01 * h01
            guard determinant > 0 else { break }
            let da = (h11 * g0 - h01 * g1) / determinant, db = (h00 * g1 - h01 * g0) / determinant
            // Backtracking: the loss is convex, so a halved Newton step soon decreases it.
            var step = 1.0, next = current
            while step > 1e-10 {
                next = loss(a - step * da, b - step * db)
                if next <= current { break }
                step /= 2
            }
            guard next <= current else { break }
            a -= step * da
            b -= step * db
            let moved = max(abs(step * da), abs(step * db))
            current = next
            if moved <= 1e-12 * max(1, abs(a), abs(b)) { break }
        }
        guard a > 0 else { throw .notIncreasing(slope: a) }
        return PlattScaling(slope: a, intercept: b)
    }
}
