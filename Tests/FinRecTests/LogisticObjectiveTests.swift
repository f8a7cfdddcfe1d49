@testable import FinRec
import Foundation
import Testing

/// The trainer's objective (a fused SIMD pass for values and gradients, syrk for Hessians)
/// against the textbook definition computed row by row with `log1p` and plain sums.
@Suite("Logistic objective against its definition")
struct LogisticObjectiveTests {
    /// Two blocks and a short last tile (8,192 + 1,003 rows), an odd number of features (the
    /// SIMD pairs' tail) and of products (the last pair's tail), unlabelled rows, class and
    /// sample weights.
    /// Product 0's labels are mostly present and unweighted, so most of its tiles take the
    /// one-log path; the others' rows each take their own.
    static let n = LogisticObjective<BLASKernel>.blockRows + 1_003, d = 7, k = 3

    struct Fixture {
        var x: [Double], y: [Double], v: [Double], theta: [[Double]], c: [Double]
    }

    static func fixture() -> Fixture {
        var rng = SplitMix64(seed: 18)
        let x = (0..<(n * d)).map { _ in rng.normal() }
        let theta = (0..<k).map { _ in (0..<(d + 1)).map { _ in 0.7 * rng.normal() } }
        var y = [Double](repeating: .nan, count: n * k), v = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            for p in 0..<k where rng.uniform() > (p == 0 ? 0.01 : 0.15) {
                let z = theta[p][d] + (0..<d).reduce(0.0) { $0 + x[i * d + $1] * theta[p][$1] }
                y[i * k + p] = rng.uniform() < 1 / (1 + exp(-z)) ? 1 : 0
                // Product 0 without sample or class weights (four rows of one weight take one
                // log together), the others with both.
                v[i * k + p] = p == 0 ? 1 : (0.5 + rng.uniform()) * (y[i * k + p] == 1 ? 2 : 1)
            }
        }
        return Fixture(x: x, y: y, v: v, theta: theta, c: [0.5, 1, 3])
    }

    static func objective(_ f: Fixture, workers: Int = 2) -> LogisticObjective<BLASKernel> {
        let set = TrainingSet(features: Matrix(rows: n, columns: d, elements: f.x), labels: Matrix(rows: n, columns: k, elements: f.y))
        return LogisticObjective(data: set, rowWeights: Matrix(rows: n, columns: k, elements: f.v), c: f.c,
                                 threads: ThreadPolicy(workers: workers), kernel: BLASKernel(), hessianSampleRows: 0)
    }

    /// The definition: ½‖w‖² + C·Σᵢ vᵢ·log(1 + e^(−ȳᵢzᵢ)), its gradient and Hessian.
    static func definition(_ f: Fixture) -> (values: [Double], gradients: [[Double]], hessians: [[Double]]) {
        let dim = d + 1
        var values = [Double](), gradients = [[Double]](), hessians = [[Double]]()
        for p in 0..<k {
            var value = 0.0, gradient = [Double](repeating: 0, count: dim), hessian = [Double](repeating: 0, count: dim * dim)
            for i in 0..<n where f.v[i * k + p] > 0 {
                let row = (0..<d).map { f.x[i * d + $0] } + [1]
                let z = (0..<dim).reduce(0.0) { $0 + row[$1] * f.theta[p][$1] }
                let y = f.y[i * k + p], weight = f.v[i * k + p]
                let probability = 1 / (1 + exp(-z))
                value += weight * (y == 1 ? log1p(exp(-z)) : log1p(exp(z)))
                for a in 0..<dim {
                    gradient[a] += weight * (probability - y) * row[a]
                    for b in 0..<dim { hessian[a * dim + b] += weight * probability * (1 - probability) * row[a] * row[b] }
                }
            }
            let penalty = (0..<d).reduce(0.0) { $0 + f.theta[p][$1] * f.theta[p][$1] } / 2
            values.append(penalty + f.c[p] * value)
            gradients.append((0..<dim).map { ($0 < d ? f.theta[p][$0] : 0) + f.c[p] * gradient[$0] })
            hessians.append((0..<(dim * dim)).map { ($0 % (dim + 1) == 0 && $0 / dim < d ? 1 : 0) + f.c[p] * hessian[$0] })
        }
        return (values, gradients, hessians)
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max()! / max(b.map(abs).max()!, 1e-300)
    }

    @Test("Values, gradients and Hessians agree with the definition to 1e-12")
    func againstDefinition() {
        let f = Self.fixture()
        let objective = Self.objective(f)
        let (values, gradients) = objective.evaluate(f.theta)
        let hessians = objective.hessians(f.theta, problems: [0, 1, 2])
        let expected = Self.definition(f)
        for p in 0..<Self.k {
            #expect(abs(values[p] - expected.values[p]) <= 1e-12 * expected.values[p], "value \(p): \(values[p]) against \(expected.values[p])")
            #expect(Self.relativeError(gradients[p], expected.gradients[p]) < 1e-12, "gradient \(p)")
            #expect(Self.relativeError(hessians[p], expected.hessians[p]) < 1e-12, "Hessian \(p)")
            let dim = Self.d + 1
            #expect((0..<dim).allSatisfy { a in (0..<dim).allSatisfy { hessians[p][a * dim + $0] == hessians[p][$0 * dim + a] } }, "Hessian \(p) is not symmetric")
        }
        // A subset of problems comes back in the order asked.
        let two = objective.hessians(f.theta, problems: [2, 0])
        #expect(two[0] == hessians[2] && two[1] == hessians[0])
    }

    @Test("One worker and two give bit-identical values and gradients")
    func workersAgree() {
        let f = Self.fixture()
        let one = Self.objective(f, workers: 1).evaluate(f.theta), two = Self.objective(f, workers: 2).evaluate(f.theta)
        #expect(one.values == two.values && one.gradients == two.gradients)
    }

    @Test("log(1 + e) from log and Goldberg's correction stays within 4 ulp of log1p on [0, 1]")
    func logOnePlus() {
        var rng = SplitMix64(seed: 7)
        var worst = 0.0
        let samples = (0..<200_000).map { _ in exp(-40 * rng.uniform()) } + (0...100_000).map { Double($0) / 100_000 } + [0, 1e-300, 1e-17, .ulpOfOne]
        for e in samples {
            let reference = log1p(e)
            let error = reference == 0 ? abs(Sigmoid.logOnePlus(small: e)) : abs(Sigmoid.logOnePlus(small: e) - reference) / reference
            worst = max(worst, error)
        }
        #expect(worst <= 4 * Double.ulpOfOne, "worst relative error \(worst)")
    }
}
