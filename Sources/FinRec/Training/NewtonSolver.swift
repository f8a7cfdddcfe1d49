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
package struct NewtonSolver {
    /// Stop a problem once a step moved no parameter by more than
    /// `tolerance · max(1, ‖θ‖∞)`: the error left is of the order of that step squared.
    package var tolerance = 1e-10
    package var maximumIterations = 100
    /// Also stop a problem once its value is at or below this (per problem; for time-to-target
    /// comparisons with other solvers).
    package var targetValues: [Double]?

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

    package init() {}

    package func minimize(_ objective: some JointObjective, from start: [[Double]]) -> SolverResult {
        let k = objective.problems, n = objective.dimension
        precondition(start.count == k && start.allSatisfy { $0.count == n }, "NewtonSolver: the start has the wrong shape")
        var theta = start
        var (f, g) = objective.evaluate(theta)
        var iterations = [Int](repeating: 0, count: k)
        var converged = [Bool](repeating: false, count: k)
        func reachedTarget(_ p: Int) -> Bool { targetValues.map { f[p] <= $0[p] } ?? false }
        var active = (0..<k).map { p in
            if Vector.infinityNorm(g[p]) == 0 || reachedTarget(p) { converged[p] = true; return false }
            return true
        }
        var iteration = 0
        while iteration < maximumIterations, active.contains(true) {
            iteration += 1
            let moving = (0..<k).filter { active[$0] }
            let hessians = objective.hessians(theta, problems: moving)
            var direction = [[Double]](repeating: [], count: k)
            for (q, p) in moving.enumerated() { direction[p] = Self.newtonStep(hessians[q], g[p], n: n) }
            let search = objective.backtrack(
                from: theta, values: f, gradients: g, directions: direction, steps: [Double](repeating: 1, count: k),
                searching: active, maximumHalvings: Self.maximumHalvings
            ) { p, value, gradient, step in
                let armijo = value <= f[p] + Self.sufficientDecrease * step * Vector.dot(g[p], direction[p])
                let withinNoise = value <= f[p] + Self.valueNoise * abs(f[p]) && Vector.infinityNorm(gradient) < Vector.infinityNorm(g[p])
                return value.isFinite && (armijo || withinNoise)
            }
            for p in moving {
                let scale = max(1, Vector.infinityNorm(theta[p]))
                let moved = search.steps[p] * Vector.infinityNorm(direction[p])
                if search.failed[p] {
                    // No step lowers the objective: stuck at rounding level, or a real failure.
                    active[p] = false
                    converged[p] = Vector.infinityNorm(direction[p]) <= Self.floorTolerance * scale
                    continue
                }
                theta[p] = search.trial[p]
                f[p] = search.values[p]
                g[p] = search.gradients[p]
                iterations[p] = iteration
                if moved <= tolerance * scale || reachedTarget(p) || Vector.infinityNorm(g[p]) == 0 {
                    active[p] = false
                    converged[p] = true
                }
            }
        }
        return SolverResult(theta: theta, iterations: iterations, values: f,
                            gradientNorms: g.map(Vector.infinityNorm), converged: converged)
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
