import FinRec
import Foundation

/// Accurate sums and dot products by error-free transformations (Ogita, Rump and Oishi's
/// Dot2): the result is as accurate as if computed in twice Double's precision, so it
/// serves as the exact value when checking Float and Double kernels.
enum Accurate {
    static func twoSum(_ a: Double, _ b: Double) -> (sum: Double, error: Double) {
        let s = a + b
        let bb = s - a
        return (s, (a - (s - bb)) + (b - bb))
    }

    static func twoProduct(_ a: Double, _ b: Double) -> (product: Double, error: Double) {
        let p = a * b
        return (p, a.multipliedFullError(b, p))
    }

    /// b + Σ xᵢyᵢ, accurately.
    static func affine(_ x: [Double], _ y: [Double], plus b: Double) -> Double {
        var s = b, c = 0.0
        for i in 0..<x.count {
            let (p, pe) = twoProduct(x[i], y[i])
            let (t, te) = twoSum(s, p)
            s = t
            c += pe + te
        }
        return s + c
    }
}

extension Double {
    /// The rounding error of `self * b` when the rounded product is `p`, exactly (by FMA).
    func multipliedFullError(_ b: Double, _ p: Double) -> Double {
        (-p).addingProduct(self, b)
    }
}

/// γₙ = n·u / (1 − n·u), the classic bound on the relative error of an n-term floating-point
/// sum of products (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), where u is
/// the unit roundoff of `T`.
func gamma<T: KernelScalar>(_ n: Int, for: T.Type) -> Double {
    let u = Double(T.ulpOfOne) / 2
    return Double(n) * u / (1 - Double(n) * u)
}

/// A fresh empty folder for one test's files.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "finrec-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func contentsOfFolder(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

extension SplitMix64 {
    /// A rows × columns matrix of N(0, scale²) draws.
    mutating func matrix<T: KernelScalar>(rows: Int, columns: Int, scale: Double = 1, as: T.Type = T.self) -> Matrix<T> {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in T(normal() * scale) })
    }
}
