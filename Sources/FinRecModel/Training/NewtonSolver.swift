import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
/// Newton's method with the exact Hessian and a backtracking line search, for K strictly convex
/// problems at once (``JointObjective``).
///
/// Each iteration forms the Hessian of every problem still moving, solves H·s = −∇f by Cholesky
/// and tries steps 1, ½, ¼, … until the objective falls by the Armijo rule. Near the optimum the
/// full step is taken and convergence is quadratic: each step roughly squares the error, so a
/// stop at a step of ``tolerance`` leaves an error far below it, down to the rounding of the
/// gradient. That is what makes a fit reproducible across CPUs: OpenBLAS's kernels round the
/// sums differently, but both fits land on the same optimum to about 1e-12, where a first-order
/// method stopped at a gradient tolerance leaves the weakly determined directions (collinear
/// features) wherever the path happened to take them.
///
/// With bounds (``lower``/``upper``, e.g. a weight that must not be negative), it is Bertsekas's
/// projected Newton method: parameters at a bound that the gradient pushes outward (within ε of
/// it) form the active set and take a scaled gradient step; the others take the Newton step of
/// their own block of the Hessian; every trial point is projected onto the box and accepted by
/// the Armijo rule along the projected arc, f(θ(t)) ≤ f(θ) + σ·∇f·(θ(t) − θ). At the optimum the
/// KKT conditions hold: a zero gradient for free parameters, a gradient pointing into the box
/// for those at a bound.
package struct NewtonSolver {
    /// Stop a problem once a step moved no parameter by more than
    /// `tolerance · max(1, ‖θ‖∞)`: the error left is of the order of that step squared.
    package var tolerance = 1e-10
    package var maximumIterations = 100
    /// Also stop a problem once its value is at or below this (per problem; for time-to-target
    /// comparisons with other solvers).
    package var targetValues: [Double]?
    /// Per problem, per parameter: the bounds (−∞ and +∞ where free); nil: unconstrained.
    package var lower: [[Double]]?
    package var upper: [[Double]]?

    /// Armijo's sufficient-decrease constant.
    static let sufficientDecrease = 1e-4
    /// Halvings of the step before the line search gives up.
    static let maximumHalvings = 40
    /// A value change within this share of |f| is rounding: near the optimum a step is then
    /// accepted when it lowers the gradient.
    static let valueNoise = 1e-13
    /// A problem whose line search fails is converged when its Newton step was already below
    /// this share of max(1, ‖θ‖∞): the optimum to machine precision.
    static let floorTolerance = 1e-7
    /// The largest ε of the ε-active set (parameters this close to a bound, gradient outward).
    static let activeThreshold = 1e-6

    package init() {}

    /// θ moved onto problem p's box.
    func project(_ p: Int, _ theta: [Double]) -> [Double] {
        guard let lower, let upper else { return theta }
        return theta.indices.map { min(max(theta[$0], lower[p][$0]), upper[p][$0]) }
    }

    /// The projected gradient's largest component: zero exactly at a KKT point.
    func projectedGradientNorm(_ p: Int, _ theta: [Double], _ g: [Double]) -> Double {
        Vector.infinityNorm(zip(theta, project(p, Vector.adding(theta, -1, g))).map { $0 - $1 })
    }

    package func minimize(_ objective: some JointObjective, from start: [[Double]]) -> SolverResult {
        let k = objective.problems, n = objective.dimension
        precondition(start.count == k && start.allSatisfy { $0.count == n }, "NewtonSolver: the start has the wrong shape")
        precondition((lower == nil) == (upper == nil), "NewtonSolver: give both bounds or none")
        if let lower, let upper {
            precondition(lower.count == k && upper.count == k && lower.allSatisfy { $0.count == n } && upper.allSatisfy { $0.count == n },
                         "NewtonSolver: the bounds have the wrong shape")
            precondition(zip(lower, upper).allSatisfy { zip($0, $1).allSatisfy { $0 <= $1 } }, "NewtonSolver: a lower bound above its upper bound")
        }
        var theta = (0..<k).map { project($0, start[$0]) }
        var (f, g) = objective.evaluate(theta)
        var iterations = [Int](repeating: 0, count: k)
        var converged = [Bool](repeating: false, count: k)
        func reachedTarget(_ p: Int) -> Bool { targetValues.map { f[p] <= $0[p] } ?? false }
        var active = (0..<k).map { p in
            if projectedGradientNorm(p, theta[p], g[p]) == 0 || reachedTarget(p) { converged[p] = true; return false }
            return true
        }
        var iteration = 0
        while iteration < maximumIterations, active.contains(true) {
            iteration += 1
            let moving = (0..<k).filter { active[$0] }
            let hessians = objective.hessians(theta, problems: moving)
            var direction = [[Double]](repeating: [], count: k)
            for (q, p) in moving.enumerated() { direction[p] = step(hessians[q], theta[p], g[p], problem: p, n: n) }
            let bounded = lower != nil
            let projection: ((Int, [Double]) -> [Double])? = bounded ? { p, t in self.project(p, t) } : nil
            let search = objective.backtrack(
                from: theta, values: f, gradients: g, directions: direction, steps: [Double](repeating: 1, count: k),
                searching: active, maximumHalvings: Self.maximumHalvings, project: projection
            ) { p, value, gradient, step, trial in
                // Along the projected arc the predicted decrease is ∇f·(θ(t) − θ); unprojected it is t·∇f·d.
                let decrease = bounded ? Vector.dot(g[p], zip(trial, theta[p]).map { $0 - $1 }) : step * Vector.dot(g[p], direction[p])
                let armijo = value <= f[p] + Self.sufficientDecrease * decrease
                let withinNoise = value <= f[p] + Self.valueNoise * abs(f[p])
                    && projectedGradientNorm(p, trial, gradient) < projectedGradientNorm(p, theta[p], g[p])
                return value.isFinite && (armijo || withinNoise)
            }
            for p in moving {
                let scale = max(1, Vector.infinityNorm(theta[p]))
                let moved = Vector.infinityNorm(zip(search.trial[p], theta[p]).map { $0 - $1 })
                if search.failed[p] {
                    // No step lowers the objective: stuck at rounding level, or a real failure.
                    active[p] = false
                    let fullStep = zip(project(p, Vector.adding(theta[p], 1, direction[p])), theta[p]).map { $0 - $1 }
                    converged[p] = Vector.infinityNorm(fullStep) <= Self.floorTolerance * scale
                    continue
                }
                theta[p] = search.trial[p]
                f[p] = search.values[p]
                g[p] = search.gradients[p]
                iterations[p] = iteration
                if moved <= tolerance * scale || reachedTarget(p) || projectedGradientNorm(p, theta[p], g[p]) == 0 {
                    active[p] = false
                    converged[p] = true
                }
            }
        }
        return SolverResult(theta: theta, iterations: iterations, values: f,
                            gradientNorms: (0..<k).map { projectedGradientNorm($0, theta[$0], g[$0]) }, converged: converged)
    }

    /// Problem p's search direction at θ: without bounds the Newton step; with bounds, zero-free
    /// ε-active parameters (at a bound, gradient outward) take −g/H_jj (the projection stops
    /// them at the bound) and the others the Newton step of their block of H.
    func step(_ h: [Double], _ theta: [Double], _ g: [Double], problem p: Int, n: Int) -> [Double] {
        guard let lower, let upper else { return Self.newtonStep(h, g, n: n) }
        let epsilon = min(Self.activeThreshold, projectedGradientNorm(p, theta, g))
        let active = (0..<n).map { j in
            (theta[j] <= lower[p][j] + epsilon && g[j] > 0) || (theta[j] >= upper[p][j] - epsilon && g[j] < 0)
        }
        let free = (0..<n).filter { !active[$0] }
        var direction = (0..<n).map { j in active[j] ? -g[j] / max(h[j * n + j], 1e-12) : 0 }
        guard !free.isEmpty else { return direction }
        let m = free.count
        var block = [Double](repeating: 0, count: m * m)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { block[a * m + b] = h[i * n + j] } }
        let s = Self.newtonStep(block, free.map { g[$0] }, n: m)
        for (a, j) in free.enumerated() { direction[j] = s[a] }
        return direction
    }

    /// s with H·s = −g. A Hessian that is not positive definite to working precision (only when
    /// the data leave a direction without curvature, e.g. every row of a problem with
    /// probability 0 or 1) is regularised by adding μ·I, μ growing tenfold until it factors.
    static func newtonStep(_ h: [Double], _ g: [Double], n: Int) -> [Double] {
        var matrix = h
        var mu = 0.0
        let diagonal = (0..<n).map { abs(h[$0 * n + $0]) }.max() ?? 1
        while true {
            if let factor = Cholesky(matrix, n: n) { return factor.solve(g.map { -$0 }) }
            mu = mu == 0 ? max(diagonal, 1) * 1e-12 : mu * 10
            matrix = h
            for i in 0..<n { matrix[i * n + i] += mu }
        }
    }
}
