/// K smooth, strictly convex objectives minimised side by side, each over its own parameter
/// vector of the same length, evaluated together (one pass over the data serves all K).
///
/// This is LIBLINEAR's `function` (`fun`, `grad`, `Hv`) for several problems at once: the
/// solvers (``NewtonSolver``, ``LBFGSSolver``) see only this surface, never the data, so a
/// solver can be tested on a quadratic with a known optimum and an objective on any solver.
package protocol JointObjective {
    /// K, the number of problems.
    var problems: Int { get }
    /// The length of each problem's parameter vector.
    var dimension: Int { get }
    /// Every problem's value and gradient at `theta` (K vectors of ``dimension``).
    func evaluate(_ theta: [[Double]]) -> (values: [Double], gradients: [[Double]])
    /// The Hessians of the problems listed in `problems` at `theta`, each ``dimension``²
    /// row-major and symmetric, in the order of `problems`.
    func hessians(_ theta: [[Double]], problems: [Int]) -> [[Double]]
}

/// Where a solver left each problem.
package struct SolverResult {
    package var theta: [[Double]]
    /// Iterations each problem moved in.
    package var iterations: [Int]
    package var values: [Double]
    /// ‖∇f‖∞ at the end.
    package var gradientNorms: [Double]
    /// Whether each problem met the solver's stopping rule (not the iteration cap).
    package var converged: [Bool]
}

/// Small vector helpers for the solvers (the dimension is d + 1, at most a few thousand).
enum Vector {
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func infinityNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    /// a + t·b.
    static func adding(_ a: [Double], _ t: Double, _ b: [Double]) -> [Double] {
        var out = a
        for i in out.indices { out[i] += t * b[i] }
        return out
    }
}
