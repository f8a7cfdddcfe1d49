import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
/// The curves of a score against binary outcomes (1 = success), for charts.
package enum Curves {
    /// Walks the distinct scores in order (highest first when `descending`), giving after each
    /// the score and the successes and failures seen so far; tied scores move together.
    static func cumulative(scores: [Double], outcomes: [Double], descending: Bool) -> [(score: Double, successes: Double, failures: Double)] {
        let order = scores.indices.sorted { descending ? scores[$0] > scores[$1] : scores[$0] < scores[$1] }
        var out: [(score: Double, successes: Double, failures: Double)] = []
        var tp = 0.0, fp = 0.0, i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if outcomes[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            out.append((s, tp, fp))
        }
        return out
    }

    /// The ROC curve: (false positive rate, true positive rate) after each distinct score,
    /// highest first, from (0, 0) to (1, 1).
    package static func roc(scores: [Double], outcomes: [Double]) -> [(x: Double, y: Double)] {
        let positives = outcomes.reduce(0, +), negatives = Double(outcomes.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        return [(0, 0)] + cumulative(scores: scores, outcomes: outcomes, descending: true).map { ($0.failures / negatives, $0.successes / positives) }
    }

    /// Area under a curve of ascending x by the trapezoid rule.
    package static func area(_ points: [(x: Double, y: Double)]) -> Double {
        zip(points, points.dropFirst()).reduce(0) { $0 + ($1.1.x - $1.0.x) * ($1.1.y + $1.0.y) / 2 }
    }

    /// For the KS chart: at each distinct score (ascending), the share of successes and the
    /// share of failures scoring at most it. KS = the largest gap between the two.
    package static func cumulativeShares(scores: [Double], outcomes: [Double]) -> (scores: [Double], successes: [Double], failures: [Double]) {
        let positives = outcomes.reduce(0, +), negatives = Double(outcomes.count) - positives
        let steps = cumulative(scores: scores, outcomes: outcomes, descending: false)
        return (steps.map(\.score), steps.map { positives > 0 ? $0.successes / positives : 0 }, steps.map { negatives > 0 ? $0.failures / negatives : 0 })
    }

    /// At most `count` points kept evenly by index, first and last included (the largest-gap
    /// point of a KS chart is marked separately).
    package static func thinned<T>(_ points: [T], to count: Int) -> [T] {
        guard points.count > count, count >= 2 else { return points }
        return (0..<count).map { points[Int((Double($0) / Double(count - 1) * Double(points.count - 1)).rounded())] }
    }

    /// Shares of `values` in `bins` equal-width bins over `range` (values outside count in the
    /// end bins).
    package static func histogram(_ values: [Double], range: ClosedRange<Double>, bins: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: bins)
        let width = (range.upperBound - range.lowerBound) / Double(bins)
        for v in values {
            let k = width > 0 ? Int((v - range.lowerBound) / width) : 0
            counts[min(max(k, 0), bins - 1)] += 1
        }
        return counts.map { values.isEmpty ? 0 : $0 / Double(values.count) }
    }
}
