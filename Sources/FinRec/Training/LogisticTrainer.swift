#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training data for K products at once: a feature matrix shared by all products and, per product,
/// a label per row (1, 0, or NaN when the row says nothing about the product: no label, or the
/// product's eligibility rule fails).
public struct TrainingSet: Sendable {
    /// n × d standardised features (in memory or memory-mapped).
    public let features: FeatureStore
    /// n × K labels: 1, 0 or NaN (left out of that product's fit).
    public let labels: Matrix<Double>
    /// Per-row weights (nil: all 1).
    public let sampleWeights: [Double]?

    public init(features: Matrix<Double>, labels: Matrix<Double>, sampleWeights: [Double]? = nil) {
        self.init(features: FeatureStore(features), labels: labels, sampleWeights: sampleWeights)
    }

    public init(features: FeatureStore, labels: Matrix<Double>, sampleWeights: [Double]? = nil) {
        precondition(features.rows == labels.rows, "features have \(features.rows) rows, labels \(labels.rows)")
        precondition(sampleWeights.map { $0.count == features.rows } ?? true, "one sample weight per row")
        precondition(labels.storage.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 }, "labels must be 0, 1 or NaN")
        self.features = features
        self.labels = labels
        self.sampleWeights = sampleWeights
    }
}

/// How each product's classes are weighted in its loss.
public enum ClassWeights: Sendable, Equatable {
    case none
    /// n / (2 · n_class) for each class, as scikit-learn's `balanced`.
    case balanced
    /// Given weights for class 0 and class 1, per product.
    case given([(negative: Double, positive: Double)])

    public static func == (a: ClassWeights, b: ClassWeights) -> Bool {
        switch (a, b) {
        case (.none, .none), (.balanced, .balanced): true
        case (.given(let x), .given(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.negative == $1.negative && $0.positive == $1.positive }
        default: false
        }
    }
}

/// Options of ``LogisticTrainer``, validated before any work.
public struct TrainerOptions: Sendable {
    /// Inverse regularisation strength, as scikit-learn's C: the objective of each product is
    /// ½‖w‖² + C · Σᵢ weightᵢ · logloss(yᵢ, xᵢ·w + b). The intercept b is not penalised.
    public var c = 1.0
    /// A C per product, overriding `c` (cross-validation chooses one per product).
    public var cPerProduct: [Double]?
    public var classWeights = ClassWeights.none
    /// Stop when ‖∇f‖∞ ≤ `tolerance` · max(1, ‖∇f(start)‖∞) for every product. The default
    /// 1e-6 moves coefficients by far less than their statistical error; much below 1e-9 the
    /// line search meets the rounding noise of the objective and stops first (reported as not
    /// converged).
    public var tolerance = 1e-6
    public var maximumIterations = 1_000
    /// Also stop a product once its objective is at or below this value (one per product): for
    /// time-to-target comparisons with other solvers.
    public var targetObjectives: [Double]?
    /// L-BFGS memory.
    public var memory = 10
    public var threads = ThreadPolicy.allCores

    public init() {}

    /// The problems with these options, empty when they are valid.
    public func problems(products: Int) -> [String] {
        var out: [String] = []
        if !(c > 0 && c.isFinite) { out.append("C must be a positive number, got \(c)") }
        if let cs = cPerProduct {
            if cs.count != products { out.append("C is given for \(cs.count) products, the data has \(products)") }
            if cs.contains(where: { !($0 > 0 && $0.isFinite) }) { out.append("every product's C must be a positive number") }
        }
        if !(tolerance > 0) { out.append("the tolerance must be positive, got \(tolerance)") }
        if maximumIterations < 1 { out.append("the iteration cap must be at least 1, got \(maximumIterations)") }
        if memory < 1 { out.append("the L-BFGS memory must be at least 1, got \(memory)") }
        if let t = targetObjectives, t.count != products { out.append("target objectives are given for \(t.count) products, the data has \(products)") }
        if case .given(let w) = classWeights {
            if w.count != products { out.append("class weights are given for \(w.count) products, the data has \(products)") }
            if w.contains(where: { !($0.negative > 0 && $0.positive > 0) }) { out.append("class weights must be positive") }
        }
        return out
    }
}

/// The fitted coefficients of K products and how the fit went.
public struct TrainingResult: Sendable {
    /// K × d.
    public let weights: Matrix<Double>
    public let intercepts: [Double]
    /// Per product: iterations used, final objective, final ‖∇f‖∞, whether it met the tolerance.
    public let iterations: [Int]
    public let objectives: [Double]
    public let gradientNorms: [Double]
    public let converged: [Bool]
    /// Rows used per product (labelled and weighted).
    public let rowsUsed: [Int]
}

/// Fits one L2-regularised logistic regression per product, all K together: every iteration
/// computes the K losses and gradients with two BLAS calls over the whole matrix — logits
/// Z = X·Wᵀ + b (gemm) and gradients G = Rᵀ·X (gemm) — then takes one L-BFGS step per product
/// (two-loop recursion, backtracking Armijo line search) on products not yet converged.
///
/// The objective is strictly convex, so the optimum is unique; the tests check the coefficients
/// against scikit-learn's to 1e-4 relative.
public struct LogisticTrainer: Sendable {
    public let options: TrainerOptions

    public init(options: TrainerOptions = TrainerOptions()) { self.options = options }

    public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidOptions([String])
        case noData(product: Int)
        case oneClass(product: Int, label: Double)

        public var description: String {
            switch self {
            case .invalidOptions(let p): "invalid training options: " + p.joined(separator: "; ")
            case .noData(let k): "product \(k) has no labelled rows to learn from"
            case .oneClass(let k, let label): "product \(k)'s labelled rows are all \(Int(label)); a model needs both outcomes"
            }
        }
    }

    /// Row weights per product: sample weight × class weight, 0 where the label is NaN.
    func rowWeights(_ data: TrainingSet) throws(TrainingError) -> Matrix<Double> {
        let n = data.labels.rows, k = data.labels.columns
        var w = Matrix<Double>(rows: n, columns: k)
        for p in 0..<k {
            var positives = 0.0, negatives = 0.0
            for i in 0..<n {
                let y = data.labels[i, p]
                if y.isNaN { continue }
                let s = data.sampleWeights?[i] ?? 1
                if y == 1 { positives += s } else { negatives += s }
            }
            if positives + negatives == 0 { throw .noData(product: p) }
            if positives == 0 || negatives == 0 { throw .oneClass(product: p, label: positives == 0 ? 0 : 1) }
            var cw = (negative: 1.0, positive: 1.0)
            switch options.classWeights {
            case .none: break
            case .balanced:
                // scikit-learn: n_samples / (n_classes · bincount(y)), counting unweighted rows.
                var count1 = 0.0, count0 = 0.0
                for i in 0..<n where !data.labels[i, p].isNaN { if data.labels[i, p] == 1 { count1 += 1 } else { count0 += 1 } }
                cw = ((count0 + count1) / (2 * count0), (count0 + count1) / (2 * count1))
            case .given(let given): cw = given[p]
            }
            for i in 0..<n {
                let y = data.labels[i, p]
                if y.isNaN { continue }
                w[i, p] = (data.sampleWeights?[i] ?? 1) * (y == 1 ? cw.positive : cw.negative)
            }
        }
        return w
    }

    /// Fits all products.
    public func fit(_ data: TrainingSet, kernel: some LinearAlgebraKernel = BLASKernel()) throws(TrainingError) -> TrainingResult {
        let n = data.features.rows, d = data.features.columns, k = data.labels.columns
        let problems = options.problems(products: k)
        guard problems.isEmpty else { throw .invalidOptions(problems) }
        let weights = try rowWeights(data)
        let dim = d + 1  // coefficients then intercept
        var theta = [[Double]](repeating: [Double](repeating: 0, count: dim), count: k)
        let objective = Objective(data: data, rowWeights: weights, c: options.cPerProduct ?? Array(repeating: options.c, count: k),
                                  threads: options.threads, kernel: kernel)
        var (f, g) = objective.evaluate(theta)
        let startNorm = g.map { max(1, Self.infinityNorm($0)) }
        var memoryS = [[[Double]]](repeating: [], count: k), memoryY = memoryS
        func reachedTarget(_ p: Int) -> Bool { options.targetObjectives.map { f[p] <= $0[p] } ?? false }
        var active = (0..<k).map { Self.infinityNorm(g[$0]) > options.tolerance * startNorm[$0] && !reachedTarget($0) }
        var iterations = [Int](repeating: 0, count: k)
        var iteration = 0
        while iteration < options.maximumIterations, active.contains(true) {
            iteration += 1
            // Search directions for the products still moving.
            var direction = [[Double]](repeating: [], count: k)
            for p in 0..<k where active[p] {
                direction[p] = Self.twoLoop(g[p], memoryS[p], memoryY[p])
                if zip(direction[p], g[p]).reduce(0, { $0 + $1.0 * $1.1 }) >= 0 {
                    // Not a descent direction (numerical trouble): restart from steepest descent.
                    memoryS[p] = []
                    memoryY[p] = []
                    direction[p] = g[p].map { -$0 }
                }
            }
            // Backtracking Armijo line search for all moving products together: one joint
            // evaluation (two gemm calls) per trial step. The first steepest-descent step is scaled
            // so it moves by at most 1 in any coordinate.
            var step = [Double](repeating: 1, count: k)
            for p in 0..<k where active[p] && memoryS[p].isEmpty {
                step[p] = min(1, 1 / max(Self.infinityNorm(direction[p]), 1e-300))
            }
            var pending = active
            var trial = theta, fTrial = f, gTrial = g
            for _ in 0..<40 where pending.contains(true) {
                for p in 0..<k where pending[p] { trial[p] = zip(theta[p], direction[p]).map { $0 + step[p] * $1 } }
                let (fNew, gNew) = objective.evaluate(trial)
                for p in 0..<k where pending[p] {
                    let slope = zip(g[p], direction[p]).reduce(0) { $0 + $1.0 * $1.1 }
                    if fNew[p] <= f[p] + 1e-4 * step[p] * slope {
                        pending[p] = false
                        fTrial[p] = fNew[p]
                        gTrial[p] = gNew[p]
                    } else {
                        step[p] /= 2
                    }
                }
            }
            for p in 0..<k where active[p] {
                if pending[p] {
                    // No step decreases the objective: the optimum to machine precision, or stuck.
                    active[p] = false
                    continue
                }
                let s = zip(trial[p], theta[p]).map { $0 - $1 }
                let y = zip(gTrial[p], g[p]).map { $0 - $1 }
                if zip(s, y).reduce(0, { $0 + $1.0 * $1.1 }) > 1e-16 {
                    memoryS[p].append(s)
                    memoryY[p].append(y)
                    if memoryS[p].count > options.memory {
                        memoryS[p].removeFirst()
                        memoryY[p].removeFirst()
                    }
                }
                theta[p] = trial[p]
                f[p] = fTrial[p]
                g[p] = gTrial[p]
                iterations[p] = iteration
                if Self.infinityNorm(g[p]) <= options.tolerance * startNorm[p] || reachedTarget(p) { active[p] = false }
            }
        }
        let finalNorms = g.map(Self.infinityNorm)
        return TrainingResult(
            weights: Matrix(rows: k, columns: d, elements: theta.flatMap { $0.prefix(d) }),
            intercepts: theta.map { $0[d] },
            iterations: iterations, objectives: f, gradientNorms: finalNorms,
            converged: (0..<k).map { finalNorms[$0] <= options.tolerance * startNorm[$0] },
            rowsUsed: (0..<k).map { p in (0..<n).filter { weights[$0, p] > 0 }.count })
    }

    static func infinityNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    /// L-BFGS two-loop recursion: the quasi-Newton direction −H·g.
    static func twoLoop(_ g: [Double], _ s: [[Double]], _ y: [[Double]]) -> [Double] {
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            let rho = 1 / dot(y[i], s[i])
            alpha[i] = rho * dot(s[i], q)
            for j in q.indices { q[j] -= alpha[i] * y[i][j] }
        }
        if let sLast = s.last, let yLast = y.last {
            let gamma = dot(sLast, yLast) / dot(yLast, yLast)
            for j in q.indices { q[j] *= gamma }
        }
        for i in 0..<s.count {
            let rho = 1 / dot(y[i], s[i])
            let beta = rho * dot(y[i], q)
            for j in q.indices { q[j] += s[i][j] * (alpha[i] - beta) }
        }
        return q.map { -$0 }
    }
}

/// The K objectives and gradients, computed together: per block of rows, one gemm for the logits
/// and one for the gradient, blocks spread over the workers.
///
/// Every block's partial loss and gradient is kept and the partials are added in block order, so
/// the result is bit-for-bit the same for any number of workers.
struct Objective<Kernel: LinearAlgebraKernel> {
    let data: TrainingSet
    let rowWeights: Matrix<Double>
    /// C per product.
    let c: [Double]
    let threads: ThreadPolicy
    let kernel: Kernel
    /// Rows per block.
    static var blockRows: Int { 8_192 }

    init(data: TrainingSet, rowWeights: Matrix<Double>, c: [Double], threads: ThreadPolicy, kernel: Kernel) {
        self.data = data
        self.rowWeights = rowWeights
        self.c = c
        self.threads = threads
        self.kernel = kernel
    }

    /// Objective values and gradients (coefficients then intercept) of every product at `theta`.
    func evaluate(_ theta: [[Double]]) -> ([Double], [[Double]]) {
        _ = ThreadPolicy.libraryThreadsPinned
        let n = data.features.rows, d = data.features.columns, k = theta.count
        let blocks = (n + Self.blockRows - 1) / Self.blockRows
        let w = theta.flatMap { $0.prefix(d) }, b = theta.map { $0[d] }
        // Per block: K losses, K intercept gradients, K × d coefficient gradients.
        let partialLoss = ParallelResults<[Double]>(count: blocks)
        let partialIntercept = ParallelResults<[Double]>(count: blocks)
        let partialGradient = ParallelResults<[Double]>(count: blocks)
        let kernel = self.kernel, data = self.data, rowWeights = self.rowWeights
        threads.forEachRange(count: blocks, alignment: 1) { range in
            var z = [Double](repeating: 0, count: Self.blockRows * k)
            for block in range {
                let start = block * Self.blockRows, rows = min(Self.blockRows, n - start)
                var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
                var gradient = [Double](repeating: 0, count: k * d)
                data.features.withUnsafeBufferPointer { xs in
                    let x = xs.baseAddress! + start * d
                    w.withUnsafeBufferPointer { wp in
                        z.withUnsafeMutableBufferPointer { zp in
                            for i in 0..<rows { for p in 0..<k { zp[i * k + p] = b[p] } }
                            kernel.gemm(.none, .transposed, m: rows, n: k, k: d, alpha: 1, a: x, lda: d,
                                        b: wp.baseAddress!, ldb: d, beta: 1, c: zp.baseAddress!, ldc: k)
                        }
                    }
                    rowWeights.withUnsafeBufferPointer { ws in
                        data.labels.withUnsafeBufferPointer { ys in
                            z.withUnsafeMutableBufferPointer { zp in
                                // Turn the logits into residuals in place, summing the losses.
                                for i in 0..<rows {
                                    for p in 0..<k {
                                        let index = (start + i) * k + p
                                        let weight = ws[index]
                                        if weight == 0 { zp[i * k + p] = 0; continue }
                                        let logit = zp[i * k + p], y = ys[index]
                                        // log(1 + e^m), m = −z for y = 1 and z for y = 0, as
                                        // max(m, 0) + log1p(e^(−|m|)) without overflow; the same
                                        // e^(−|z|) gives the sigmoid: one exp and one log1p.
                                        let m = y == 1 ? -logit : logit
                                        let e = exp(-abs(logit))
                                        loss[p] += weight * (max(m, 0) + log1p(e))
                                        let probability = logit >= 0 ? 1 / (1 + e) : e / (1 + e)
                                        let r = weight * (probability - y)
                                        zp[i * k + p] = r
                                        intercept[p] += r
                                    }
                                }
                                // G_block = R_blockᵀ · X_block: K × d.
                                gradient.withUnsafeMutableBufferPointer { gp in
                                    kernel.gemm(.transposed, .none, m: k, n: d, k: rows, alpha: 1, a: zp.baseAddress!, lda: k,
                                                b: x, ldb: d, beta: 0, c: gp.baseAddress!, ldc: d)
                                }
                            }
                        }
                    }
                }
                partialLoss.set(block, loss)
                partialIntercept.set(block, intercept)
                partialGradient.set(block, gradient)
            }
        }
        var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
        var gradient = [Double](repeating: 0, count: k * d)
        for (l, (g0, g)) in zip(partialLoss.values, zip(partialIntercept.values, partialGradient.values)) {
            for p in 0..<k { loss[p] += l[p]; intercept[p] += g0[p] }
            for j in 0..<(k * d) { gradient[j] += g[j] }
        }
        var values = [Double](repeating: 0, count: k)
        var gradients = [[Double]](repeating: [], count: k)
        for p in 0..<k {
            values[p] = 0.5 * theta[p].prefix(d).reduce(0) { $0 + $1 * $1 } + c[p] * loss[p]
            gradients[p] = (0..<d).map { j in theta[p][j] + c[p] * gradient[p * d + j] } + [c[p] * intercept[p]]
        }
        return (values, gradients)
    }
}
