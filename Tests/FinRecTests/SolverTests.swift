@testable import FinRec
import Foundation
import Testing

/// Two problems with known optima: a quadratic ½(θ − a)ᵀA(θ − a) with A symmetric positive
/// definite and ill-conditioned (condition number 10⁴, like collinear features), and a smooth
/// non-quadratic Σ log cosh(θᵢ − bᵢ) + ½‖θ − b‖²/100, whose optimum is b and whose curvature
/// vanishes far from it (a full Newton step from far away overshoots: the line search must act).
struct KnownOptimum: JointObjective {
    let a: [Double], matrix: [Double], b: [Double]
    var problems: Int { 2 }
    var dimension: Int { a.count }

    init(dimension n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        a = (0..<n).map { _ in rng.normal() }
        b = (0..<n).map { _ in 3 * rng.normal() }
        // A = Q·diag(λ)·Qᵀ with Q from Gram–Schmidt and λ from 1 to 10⁴.
        var q = (0..<n).map { _ in (0..<n).map { _ in rng.normal() } }
        for i in 0..<n {
            for j in 0..<i { let t = Vector.dot(q[i], q[j]); q[i] = Vector.adding(q[i], -t, q[j]) }
            let norm = Vector.dot(q[i], q[i]).squareRoot()
            q[i] = q[i].map { $0 / norm }
        }
        let lambda = (0..<n).map { pow(10, 4 * Double($0) / Double(max(n - 1, 1))) }
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for l in 0..<n { m[i * n + j] += q[l][i] * lambda[l] * q[l][j] } } }
        matrix = m
    }

    func evaluate(_ theta: [[Double]]) -> (values: [Double], gradients: [[Double]]) {
        let n = dimension
        let r = (0..<n).map { theta[0][$0] - a[$0] }
        let ar = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + matrix[i * n + $1] * r[$1] } }
        let u = (0..<n).map { theta[1][$0] - b[$0] }
        let value1 = u.reduce(0.0) { $0 + log(cosh($1)) + $1 * $1 / 200 }
        return ([0.5 * Vector.dot(r, ar), value1], [ar, u.map { tanh($0) + $0 / 100 }])
    }

    func hessians(_ theta: [[Double]], problems: [Int]) -> [[Double]] {
        let n = dimension
        return problems.map { p in
            if p == 0 { return matrix }
            var h = [Double](repeating: 0, count: n * n)
            for i in 0..<n { let t = tanh(theta[1][i] - b[i]); h[i * n + i] = 1 - t * t + 0.01 }
            return h
        }
    }

    var optima: [[Double]] { [a, b] }
}

@Suite("Solvers on problems with a known optimum")
struct SolverTests {
    static func error(_ result: SolverResult, _ problem: KnownOptimum) -> [Double] {
        (0..<2).map { p in zip(result.theta[p], problem.optima[p]).map { abs($0 - $1) }.max()! }
    }

    @Test("Newton reaches both optima to 1e-10 in a few iterations from far away", arguments: [1, 5, 30])
    func newton(dimension: Int) {
        let problem = KnownOptimum(dimension: dimension, seed: UInt64(dimension))
        let start = [[Double]](repeating: [Double](repeating: 20, count: dimension), count: 2)
        let result = NewtonSolver().minimize(problem, from: start)
        #expect(result.converged == [true, true])
        #expect(Self.error(result, problem).allSatisfy { $0 < 1e-10 }, "\(Self.error(result, problem))")
        // The quadratic is solved by its first step (plus the step that confirms it).
        #expect(result.iterations[0] <= 2, "\(result.iterations)")
        #expect(result.iterations[1] <= 30, "\(result.iterations)")
    }

    @Test("Projected Newton meets the bounds: the separable problem at the clipped optimum, the ill-conditioned quadratic at a KKT point",
          arguments: [2, 7, 30])
    func boundedNewton(dimension n: Int) {
        let problem = KnownOptimum(dimension: n, seed: UInt64(100 + n))
        var rng = SplitMix64(seed: UInt64(n))
        // Per coordinate: free, ≥ 0, ≤ 0 or a finite box, as monotone and range constraints are.
        var lower = [[Double]](repeating: [], count: 2), upper = lower
        for p in 0..<2 {
            for _ in 0..<n {
                switch rng.next() % 4 {
                case 0: lower[p].append(-.infinity); upper[p].append(.infinity)
                case 1: lower[p].append(0); upper[p].append(.infinity)
                case 2: lower[p].append(-.infinity); upper[p].append(0)
                default: let c = rng.normal(); lower[p].append(c - 0.5); upper[p].append(c + 0.5)
                }
            }
        }
        var solver = NewtonSolver()
        solver.lower = lower
        solver.upper = upper
        let result = solver.minimize(problem, from: [[Double]](repeating: [Double](repeating: 20, count: n), count: 2))
        #expect(result.converged == [true, true], "\(result.iterations)")
        for p in 0..<2 { #expect((0..<n).allSatisfy { lower[p][$0] <= result.theta[p][$0] && result.theta[p][$0] <= upper[p][$0] }) }
        // Separable and convex per coordinate: the optimum is b clipped to the box.
        let clipped = (0..<n).map { min(max(problem.b[$0], lower[1][$0]), upper[1][$0]) }
        #expect(zip(result.theta[1], clipped).allSatisfy { abs($0 - $1) < 1e-9 }, "\(result.theta[1]) vs \(clipped)")
        // KKT, an independent certificate for a convex problem: zero gradient where free, a
        // gradient pointing into the box where at a bound.
        let g = problem.evaluate(result.theta).gradients[0]
        let theta = result.theta[0]
        for j in 0..<n {
            let atLower = theta[j] == lower[0][j], atUpper = theta[j] == upper[0][j]
            if atLower { #expect(g[j] >= -1e-7, "coordinate \(j) at its lower bound, gradient \(g[j])") }
            if atUpper { #expect(g[j] <= 1e-7, "coordinate \(j) at its upper bound, gradient \(g[j])") }
            if !atLower && !atUpper { #expect(abs(g[j]) < 1e-7, "free coordinate \(j), gradient \(g[j])") }
        }
        #expect((0..<n).contains { theta[$0] == lower[0][$0] || theta[$0] == upper[0][$0] } || n < 5, "some bound is active")
    }

    @Test("L-BFGS reaches both optima to its gradient tolerance")
    func lbfgs() {
        let problem = KnownOptimum(dimension: 8, seed: 8)
        var solver = LBFGSSolver()
        solver.tolerance = 1e-10
        let result = solver.minimize(problem, from: [[Double]](repeating: [Double](repeating: 2, count: 8), count: 2))
        #expect(result.converged == [true, true])
        // Error ≤ ‖∇f‖ / smallest curvature (1 for the quadratic, 0.01 for the other).
        let errors = Self.error(result, problem)
        #expect(errors[0] < 1e-5 && errors[1] < 1e-5, "\(errors)")
    }

    @Test("Newton stops a problem at its target value")
    func target() {
        let problem = KnownOptimum(dimension: 4, seed: 4)
        var solver = NewtonSolver()
        solver.targetValues = [1e300, -1]
        let result = solver.minimize(problem, from: [[Double]](repeating: [Double](repeating: 5, count: 4), count: 2))
        #expect(result.iterations[0] == 0 && result.converged[0])
        #expect(result.converged[1] && Self.error(result, problem)[1] < 1e-10)
    }

    @Test("Cholesky solves a symmetric positive definite system and refuses an indefinite one")
    func cholesky() throws {
        let problem = KnownOptimum(dimension: 12, seed: 12)
        let factor = try #require(Cholesky(problem.matrix, n: 12))
        let x = factor.solve(problem.a)
        let ax = (0..<12).map { i in (0..<12).reduce(0.0) { $0 + problem.matrix[i * 12 + $1] * x[$1] } }
        #expect(zip(ax, problem.a).allSatisfy { abs($0 - $1) < 1e-8 })
        #expect(Cholesky([1, 2, 2, 1], n: 2) == nil)
    }
}

@Suite("Laplace uncertainty of a logit")
struct UncertaintyTests {
    /// (A)⁻¹·b by Gauss–Jordan elimination with partial pivoting: the brute-force definition.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var m = (0..<n).map { a[$0] + [b[$0]] }
        for c in 0..<n {
            let pivot = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, pivot)
            for r in 0..<n where r != c {
                let f = m[r][c] / m[c][c]
                for j in c...n { m[r][j] -= f * m[c][j] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }

    @Test("The stored factor gives the standard error x̃ᵀ(H/C)⁻¹x̃ of the fitted model, H formed here by its definition", arguments: [0.05, 1.0, 20.0])
    func matchesDefinition(c: Double) throws {
        var rng = SplitMix64(seed: UInt64(c * 100))
        let n = 400, d = 5
        let x = (0..<n).map { _ in (0..<d).map { _ in rng.normal() } }
        let truth = (0..<d).map { _ in rng.normal() }
        var y: [Double] = []
        for row in x {
            let z = zip(row, truth).reduce(0.3) { $0 + $1.0 * $1.1 }
            y.append(rng.uniform() < Sigmoid.probability(z) ? 1 : 0)
        }
        var options = TrainerOptions()
        options.c = c
        let fit = try LogisticTrainer(options: options).fit(TrainingSet(features: Matrix(rows: n, columns: d, elements: x.flatMap { $0 }),
                                                                        labels: Matrix(rows: n, columns: 1, elements: y)))
        let w = Array(fit.weights.row(0)), b = fit.intercepts[0]
        // H = diag(1, …, 1, 0) + C·Σ p(1−p)·x̃x̃ᵀ; the posterior precision is H/C.
        var h = (0..<(d + 1)).map { i in (0..<(d + 1)).map { j in i == j && i < d ? 1.0 : 0 } }
        for row in x {
            let z: Double = zip(row, w).reduce(b) { $0 + $1.0 * $1.1 }
            let p = Sigmoid.probability(z)
            let xt = row + [1]
            for i in 0...d { for j in 0...d { h[i][j] += c * p * (1 - p) * xt[i] * xt[j] } }
        }
        let precision = h.map { $0.map { $0 / c } }
        let u = try #require(LogitUncertainty(hessian: fit.hessians[0], c: fit.c[0], dimension: d + 1))
        for _ in 0..<20 {
            let q = (0..<d).map { _ in 2 * rng.normal() }
            let solved = Self.solve(precision, q + [1])
            let variance: Double = zip(q + [1], solved).reduce(0) { $0 + $1.0 * $1.1 }
            let expected = variance.squareRoot()
            // Float32 storage: about 1e-6 relative.
            #expect(abs(u.standardError(q) - expected) <= 1e-5 * expected, "\(u.standardError(q)) against \(expected)")
        }
    }

    @Test("The 95% interval and the moderated probability behave as their definitions say")
    func intervalAndModeration() {
        let interval = LogitUncertainty.probabilityInterval(logit: 1, standardError: 0.5)
        #expect(abs(interval.lowerBound - Sigmoid.probability(1 - 1.959963984540054 * 0.5)) < 1e-15)
        #expect(abs(interval.upperBound - Sigmoid.probability(1 + 1.959963984540054 * 0.5)) < 1e-15)
        // No uncertainty: the probability itself; more uncertainty: closer to ½, never across it.
        #expect(LogitUncertainty.moderatedProbability(logit: 2, standardError: 0) == Sigmoid.probability(2))
        let shrunk = [0.5, 1, 2, 4].map { LogitUncertainty.moderatedProbability(logit: 2, standardError: $0) }
        #expect(zip(shrunk, shrunk.dropFirst()).allSatisfy { $0 > $1 } && shrunk.allSatisfy { $0 > 0.5 })
    }
}
