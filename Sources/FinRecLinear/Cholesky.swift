import FinRecBase
import FinRecRecords
/// The Cholesky factor of a small symmetric positive definite matrix, for Newton steps.
///
/// Plain Swift, O(n³/3) flops: the Newton solver's systems have n = d + 1 (tens to a few
/// hundred), where this costs far less than forming the Hessian from the data.
package struct Cholesky {
    let n: Int
    /// L, lower triangle, row-major n × n (the upper triangle is zero).
    package let lower: [Double]

    /// Factors `a` (n × n, row-major, symmetric; only the lower triangle is read). Returns nil
    /// when a pivot is not positive: the matrix is not positive definite to working precision.
    package init?(_ a: [Double], n: Int) {
        precondition(a.count == n * n, "Cholesky: \(a.count) elements for a \(n)×\(n) matrix")
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var pivot = a[j * n + j]
            for k in 0..<j { pivot -= l[j * n + k] * l[j * n + k] }
            guard pivot > 0, pivot.isFinite else { return nil }
            let root = pivot.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<n {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        self.n = n
        lower = l
    }

    /// x with A·x = b.
    package func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == n, "Cholesky: right-hand side of \(b.count) for a \(n)×\(n) system")
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= lower[i * n + k] * y[k] }
            y[i] = s / lower[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= lower[k * n + i] * y[k] }
            y[i] = s / lower[i * n + i]
        }
        return y
    }
}
