import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
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

/// Where a joint backtracking line search left each problem it searched for.
struct LineSearch {
    /// θ + step·direction for the problems that accepted a step (θ elsewhere).
    var trial: [[Double]]
    /// Values and gradients at `trial` for the problems that accepted a step.
    var values: [Double]
    var gradients: [[Double]]
    /// The step each problem ended with.
    var steps: [Double]
    /// Problems for which no step was accepted within the halvings.
    var failed: [Bool]
}

extension JointObjective {
    /// Backtracking line search for the problems marked in `searching`, all at once: each tries
    /// θ + step·direction from its start step (mapped by `project` when given, e.g. onto bounds),
    /// halving it until `accept(p, value, gradient, step, trial)` says yes or `maximumHalvings`
    /// trials are spent. One joint evaluation serves every problem still searching, so a trial
    /// costs one pass over the data whatever K.
    func backtrack(from theta: [[Double]], values f: [Double], gradients g: [[Double]], directions: [[Double]],
                   steps: [Double], searching: [Bool], maximumHalvings: Int, project: ((_ p: Int, _ theta: [Double]) -> [Double])? = nil,
                   accept: (_ p: Int, _ value: Double, _ gradient: [Double], _ step: Double, _ trial: [Double]) -> Bool) -> LineSearch {
        var result = LineSearch(trial: theta, values: f, gradients: g, steps: steps, failed: searching)
        let problems = searching.indices.filter { searching[$0] }
        for _ in 0..<maximumHalvings where result.failed.contains(true) {
            for p in problems where result.failed[p] {
                let moved = Vector.adding(theta[p], result.steps[p], directions[p])
                result.trial[p] = project.map { $0(p, moved) } ?? moved
            }
            let (fNew, gNew) = evaluate(result.trial)
            for p in problems where result.failed[p] {
                if accept(p, fNew[p], gNew[p], result.steps[p], result.trial[p]) {
                    result.failed[p] = false
                    result.values[p] = fNew[p]
                    result.gradients[p] = gNew[p]
                } else {
                    result.steps[p] /= 2
                }
            }
        }
        return result
    }
}

/// Small vector helpers for the solvers (the dimension is d + 1, at most a few thousand).
package enum Vector {
    package static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func infinityNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    /// a + t·b.
    package static func adding(_ a: [Double], _ t: Double, _ b: [Double]) -> [Double] {
        var out = a
        for i in out.indices { out[i] += t * b[i] }
        return out
    }
}
