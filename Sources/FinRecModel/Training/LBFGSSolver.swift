import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
/// Limited-memory BFGS with a backtracking Armijo line search, for K problems at once
/// (``JointObjective``): one joint evaluation per trial step serves every problem still moving.
///
/// Cheaper per iteration than ``NewtonSolver`` (no Hessian), but first-order: stopped at a
/// gradient tolerance it leaves weakly determined directions (collinear features) where the
/// path took them, so fits on two CPUs can differ there by far more than the tolerance.
package struct LBFGSSolver {
    /// Stop when ‖∇f‖∞ ≤ `tolerance` · max(1, ‖∇f(start)‖∞). Much below 1e-9 the line search
    /// meets the rounding noise of the objective and stops first (reported as not converged).
    package var tolerance = 1e-6
    package var maximumIterations = 1_000
    /// Correction pairs kept.
    package var memory = 10
    package var targetValues: [Double]?

    static let sufficientDecrease = 1e-4
    static let maximumHalvings = 40
    /// A correction pair is kept only when sᵀy exceeds this (curvature condition).
    static let minimumCurvature = 1e-16

    package init() {}

    package func minimize(_ objective: some JointObjective, from start: [[Double]]) -> SolverResult {
        let k = objective.problems
        var theta = start
        var (f, g) = objective.evaluate(theta)
        let startNorm = g.map { max(1, Vector.infinityNorm($0)) }
        var memoryS = [[[Double]]](repeating: [], count: k), memoryY = memoryS
        func reachedTarget(_ p: Int) -> Bool { targetValues.map { f[p] <= $0[p] } ?? false }
        func done(_ p: Int) -> Bool { Vector.infinityNorm(g[p]) <= tolerance * startNorm[p] || reachedTarget(p) }
        var active = (0..<k).map { !done($0) }
        var iterations = [Int](repeating: 0, count: k)
        var iteration = 0
        while iteration < maximumIterations, active.contains(true) {
            iteration += 1
            var direction = [[Double]](repeating: [], count: k)
            for p in 0..<k where active[p] {
                direction[p] = Self.twoLoop(g[p], memoryS[p], memoryY[p])
                if Vector.dot(direction[p], g[p]) >= 0 {
                    // Not a descent direction (numerical trouble): restart from steepest descent.
                    memoryS[p] = []
                    memoryY[p] = []
                    direction[p] = g[p].map { -$0 }
                }
            }
            // The first steepest-descent step moves by at most 1 in any coordinate.
            var step = [Double](repeating: 1, count: k)
            for p in 0..<k where active[p] && memoryS[p].isEmpty {
                step[p] = min(1, 1 / max(Vector.infinityNorm(direction[p]), 1e-300))
            }
            let search = objective.backtrack(
                from: theta, values: f, gradients: g, directions: direction, steps: step,
                searching: active, maximumHalvings: Self.maximumHalvings
            ) { p, value, _, step, _ in
                value <= f[p] + Self.sufficientDecrease * step * Vector.dot(g[p], direction[p])
            }
            for p in 0..<k where active[p] {
                if search.failed[p] {
                    // No step decreases the objective: the optimum to machine precision, or stuck.
                    active[p] = false
                    continue
                }
                let s = zip(search.trial[p], theta[p]).map { $0 - $1 }
                let y = zip(search.gradients[p], g[p]).map { $0 - $1 }
                if Vector.dot(s, y) > Self.minimumCurvature {
                    memoryS[p].append(s)
                    memoryY[p].append(y)
                    if memoryS[p].count > memory {
                        memoryS[p].removeFirst()
                        memoryY[p].removeFirst()
                    }
                }
                theta[p] = search.trial[p]
                f[p] = search.values[p]
                g[p] = search.gradients[p]
                iterations[p] = iteration
                if done(p) { active[p] = false }
            }
        }
        return SolverResult(theta: theta, iterations: iterations, values: f, gradientNorms: g.map(Vector.infinityNorm),
                            converged: (0..<k).map(done))
    }

    /// L-BFGS two-loop recursion: the quasi-Newton direction −H·g.
    static func twoLoop(_ g: [Double], _ s: [[Double]], _ y: [[Double]]) -> [Double] {
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            let rho = 1 / Vector.dot(y[i], s[i])
            alpha[i] = rho * Vector.dot(s[i], q)
            for j in q.indices { q[j] -= alpha[i] * y[i][j] }
        }
        if let sLast = s.last, let yLast = y.last {
            let gamma = Vector.dot(sLast, yLast) / Vector.dot(yLast, yLast)
            for j in q.indices { q[j] *= gamma }
        }
        for i in 0..<s.count {
            let rho = 1 / Vector.dot(y[i], s[i])
            let beta = rho * Vector.dot(y[i], q)
            for j in q.indices { q[j] += s[i][j] * (alpha[i] - beta) }
        }
        return q.map { -$0 }
    }
}
