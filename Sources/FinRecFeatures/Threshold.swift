import FinRecBase
import FinRecRecords
import FinRecLinear
/// How a value is compared with a number written in a rule or a feature (a published threshold
/// such as `revenue_growth_1y >= 0.20`): as the decimal the number is, not as its nearest binary
/// double.
///
/// Ratios and growth rates are computed in binary floating point, so a firm whose revenue grew
/// from 3000万 to 3600万 — exactly 20% — has `3600 / 3000 - 1` = 0.19999999999999996, which a
/// plain `>= 0.2` would fail. So a value within `tolerance(c)` = 10⁻⁹ · max(1, |c|) of the
/// threshold `c` counts as equal to it:
///
/// | rule    | holds when           |
/// |---------|----------------------|
/// | `x >= c` | `x >= c − tol`      |
/// | `x > c`  | `x > c + tol`       |
/// | `x <= c` | `x <= c + tol`      |
/// | `x < c`  | `x < c − tol`       |
/// | `x == c` | `c − tol <= x <= c + tol` |
/// | `x != c` | outside that band   |
///
/// Why 10⁻⁹: each floating-point operation errs by at most half a unit in the last place
/// (1.1 · 10⁻¹⁶ relative), so the catalog's quantities — a ratio of sums, a growth rate, the root
/// of a ratio — come out within about 10⁻¹⁵ of their decimal values; a billion times less than
/// any difference the tolerance ignores. And the tolerance is far below the precision the rules
/// are published to (whole or tenth percentages, whole 万元): a billionth of the threshold (at
/// least 10⁻⁹), i.e. 10⁻⁷ percentage points of a ratio, 0.2元 on a 2000万元 threshold, 5元 on a
/// 50亿元 market value. A value that misses a threshold by less is taken as meeting it.
///
/// Comparisons of two values (`net_assets >= share_capital`, `certification_valid_until >=
/// as_of_date + 365`) stay exact: a recorded decimal read as its nearest double keeps its order
/// and equality with another (rounding to nearest is monotone), and dates and counts are whole
/// numbers. A rule comparing two computed ratios should be written against a number instead.
/// Cut points fitted by binning are not thresholds and are compared exactly.
package enum Threshold {
    /// The relative tolerance: 10⁻⁹.
    package static let relativeTolerance = 1e-9

    /// How far from `c` a value still counts as equal to it: 10⁻⁹ · max(1, |c|).
    @inline(__always)
    package static func tolerance(_ c: Double) -> Double { relativeTolerance * Swift.max(1, Swift.abs(c)) }

    /// The values that count as equal to `c`: `low...high`.
    @inline(__always)
    package static func band(_ c: Double) -> (low: Double, high: Double) {
        let tol = tolerance(c)
        return (c - tol, c + tol)
    }

    /// The bound an engine compares `x` with to decide `x op c` with one plain comparison of the
    /// same operator (`>=`, `<` against the band's lower end; `>`, `<=` against its upper end);
    /// nil for `==` and `!=`, which need both ends.
    package static func bound(_ op: ParsedExpression.BinaryOperator, _ c: Double) -> Double? {
        let band = band(c)
        switch op {
        case .greaterOrEqual, .less: return band.low
        case .greater, .lessOrEqual: return band.high
        default: return nil
        }
    }

    /// Whether `x op c` holds, `x` a number (not missing).
    package static func holds(_ op: ParsedExpression.BinaryOperator, _ x: Double, _ c: Double) -> Bool {
        let band = band(c)
        switch op {
        case .equal: return x >= band.low && x <= band.high
        case .notEqual: return !(x >= band.low && x <= band.high)
        case .less: return x < band.low
        case .lessOrEqual: return x <= band.high
        case .greater: return x > band.high
        default: return x >= band.low
        }
    }
}
