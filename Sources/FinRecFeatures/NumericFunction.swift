import FinRecBase
package import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The numeric functions of the expression language, in one place: name, arity and value. The
/// parser accepts any call; the compiler checks a function's name and arity here, and the
/// evaluator computes it here. `if`, `is_missing`, `in` and `starts_with` take conditions or
/// strings and are compiled into plans of their own (``specialForms``).
package enum NumericFunction: String, CaseIterable, Sendable {
    case log1p, sqrt, abs, min, max, clip

    /// The functions that are not numeric: compiled by ``ExpressionCompiler`` itself.
    static let specialForms = ["if", "is_missing", "in", "starts_with"]

    var arity: ClosedRange<Int> {
        switch self {
        case .log1p, .sqrt, .abs: 1...1
        case .min, .max: 2...Int.max
        case .clip: 3...3
        }
    }

    /// The value at row `r` given the first argument's value `x` there (not missing) and every
    /// argument's values and missing flags; NaN where the function is undefined or another
    /// argument is missing (the caller turns NaN into missing).
    @inline(__always)
    func apply(_ x: Double, _ arguments: [([Double], [Bool])], row r: Int) -> Double {
        switch self {
        case .log1p: return x > -1 ? logOnePlus(x) : .nan
        case .sqrt: return x >= 0 ? x.squareRoot() : .nan
        case .abs: return Swift.abs(x)
        case .min, .max:
            var y = x
            for (values, missing) in arguments.dropFirst() {
                if missing[r] { return .nan }
                y = self == .min ? Swift.min(y, values[r]) : Swift.max(y, values[r])
            }
            return y
        case .clip:
            let (low, lowMissing) = arguments[1], (high, highMissing) = arguments[2]
            return lowMissing[r] || highMissing[r] ? .nan : Swift.min(Swift.max(x, low[r]), high[r])
        }
    }
}

/// The C library's log1p, under a name that ``NumericFunction/log1p`` does not hide.
@inline(__always)
private func logOnePlus(_ x: Double) -> Double { log1p(x) }
