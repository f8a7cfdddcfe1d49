package import FinRecBase
import FinRecRecords
package import FinRecLinear
package import FinRecFeatures
import FinRecCatalog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training data for K products at once: a feature matrix shared by all products and, per product,
/// a label per row (1, 0, or NaN when the row says nothing about the product: no label, or the
/// product's eligibility rule fails).
package struct TrainingSet: Sendable {
    /// n × d standardised features (in memory or memory-mapped).
    package let features: FeatureStore
    /// n × K labels: 1, 0 or NaN (left out of that product's fit).
    package let labels: Matrix<Double>
    /// Per-row weights (nil: all 1).
    package let sampleWeights: [Double]?

    package init(features: Matrix<Double>, labels: Matrix<Double>, sampleWeights: [Double]? = nil) {
        self.init(features: FeatureStore(features), labels: labels, sampleWeights: sampleWeights)
    }

    package init(features: FeatureStore, labels: Matrix<Double>, sampleWeights: [Double]? = nil) {
        precondition(features.rows == labels.rows, "features have \(features.rows) rows, labels \(labels.rows)")
        precondition(sampleWeights.map { $0.count == features.rows } ?? true, "one sample weight per row")
        precondition(labels.storage.allSatisfy { $0.isNaN || $0 == 0 || $0 == 1 }, "labels must be 0, 1 or NaN")
        self.features = features
        self.labels = labels
        self.sampleWeights = sampleWeights
    }
}

/// How each product's classes are weighted in its loss.
package enum ClassWeights: Sendable, Equatable {
    case none
    /// n / (2 · n_class) for each class, as scikit-learn's `balanced`.
    case balanced
    /// Given weights for class 0 and class 1, per product.
    case given([(negative: Double, positive: Double)])

    package static func == (a: ClassWeights, b: ClassWeights) -> Bool {
        switch (a, b) {
        case (.none, .none), (.balanced, .balanced): true
        case (.given(let x), .given(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.negative == $1.negative && $0.positive == $1.positive }
        default: false
        }
    }
}

/// Options of ``LogisticTrainer``, validated before any work.
package struct TrainerOptions: Sendable {
    /// Inverse regularisation strength, as scikit-learn's C: the objective of each product is
    /// ½‖w‖² + C · Σᵢ weightᵢ · logloss(yᵢ, xᵢ·w + b). The intercept b is not penalised.
    package var c = 1.0
    /// A C per product, overriding `c` (cross-validation chooses one per product).
    package var cPerProduct: [Double]?
    package var classWeights = ClassWeights.none
    /// The optimiser: Newton's method (the default) or L-BFGS.
    package var solver = Solver.newton
    /// The stopping rule's tolerance; nil takes the solver's default. Newton stops a product
    /// once a step moved no coefficient by more than `tolerance · max(1, ‖θ‖∞)` (default
    /// 1e-10; the error left is about that squared). L-BFGS stops when ‖∇f‖∞ ≤ `tolerance` ·
    /// max(1, ‖∇f(start)‖∞) (default 1e-6; much below 1e-9 its line search meets the rounding
    /// noise of the objective and stops first, reported as not converged).
    package var tolerance: Double?
    /// Iteration cap; nil takes the solver's default (Newton 100, L-BFGS 1,000).
    package var maximumIterations: Int?
    /// Newton: a product with more labelled rows than this forms its Hessian from a regular
    /// sample of about this many of them (the gradient stays exact, so the optimum is the same;
    /// convergence becomes linear at a rate of about √(d / sample)). 0: always the exact Hessian.
    package var hessianSampleRows = 65_536
    /// Also stop a product once its objective is at or below this value (one per product): for
    /// time-to-target comparisons with other solvers.
    package var targetObjectives: [Double]?
    /// L-BFGS memory.
    package var memory = 10
    package var threads = ThreadPolicy.allCores
    /// Per product and feature column (K × d): the sign a weight must have (monotone
    /// constraints); nil: all free. Needs the Newton solver. The intercept is always free.
    package var weightSigns: [[WeightSign]]?
    /// Whether the fit also returns each product's Hessian at the optimum (one more pass over
    /// the data), for the uncertainty of predictions.
    package var curvature = true

    package init() {}

    package enum Solver: String, Sendable, CaseIterable {
        /// Exact Hessian, Cholesky, line search: quadratic convergence to the optimum.
        case newton
        /// Limited-memory BFGS, gradient stopping rule.
        case lbfgs

        /// How the model file names it.
        package var description: String {
            switch self {
            case .newton: "Newton (Cholesky; exact Hessian up to hessian_sample_rows labelled rows, a regular sample beyond; projected onto sign constraints; backtracking Armijo line search)"
            case .lbfgs: "L-BFGS (memory \(LBFGSSolver().memory)), backtracking Armijo line search"
            }
        }
    }

    /// The tolerance in force: the given one or the solver's default.
    package var effectiveTolerance: Double { tolerance ?? (solver == .newton ? NewtonSolver().tolerance : LBFGSSolver().tolerance) }
    /// The iteration cap in force.
    package var effectiveMaximumIterations: Int {
        maximumIterations ?? (solver == .newton ? NewtonSolver().maximumIterations : LBFGSSolver().maximumIterations)
    }

    /// The problems with these options, empty when they are valid.
    package func problems(products: Int) -> [String] {
        var out: [String] = []
        if !(c > 0 && c.isFinite) { out.append("C must be a positive number, got \(c)") }
        if let cs = cPerProduct {
            if cs.count != products { out.append("C is given for \(cs.count) products, the data has \(products)") }
            if cs.contains(where: { !($0 > 0 && $0.isFinite) }) { out.append("every product's C must be a positive number") }
        }
        if let tolerance, !(tolerance > 0 && tolerance.isFinite) { out.append("the tolerance must be a positive number, got \(tolerance)") }
        if let maximumIterations, maximumIterations < 1 { out.append("the iteration cap must be at least 1, got \(maximumIterations)") }
        if hessianSampleRows < 0 { out.append("the Hessian sample must be 0 (exact) or a positive number of rows, got \(hessianSampleRows)") }
        if memory < 1 { out.append("the L-BFGS memory must be at least 1, got \(memory)") }
        if let signs = weightSigns {
            if signs.count != products { out.append("weight signs are given for \(signs.count) products, the data has \(products)") }
            if solver != .newton, signs.joined().contains(where: { $0 != .free }) {
                out.append("sign (monotone) constraints need the Newton solver; L-BFGS has no bounds")
            }
        }
        if let t = targetObjectives, t.count != products { out.append("target objectives are given for \(t.count) products, the data has \(products)") }
        if case .given(let w) = classWeights {
            if w.count != products { out.append("class weights are given for \(w.count) products, the data has \(products)") }
            if w.contains(where: { !($0.negative > 0 && $0.positive > 0) }) { out.append("class weights must be positive") }
        }
        return out
    }
}

/// The fitted coefficients of K products and how the fit went.
package struct TrainingResult: Sendable {
    /// K × d.
    package let weights: Matrix<Double>
    package let intercepts: [Double]
    /// Per product: iterations used, final objective, final ‖∇f‖∞, whether it met the solver's
    /// stopping rule.
    package let iterations: [Int]
    package let objectives: [Double]
    package let gradientNorms: [Double]
    package let converged: [Bool]
    /// Rows used per product (labelled and weighted).
    package let rowsUsed: [Int]
    /// Per product, the Hessian of its objective at the fit, (d + 1)² row-major (intercept last):
    /// divided by C it is the precision of the Laplace approximation of the coefficients. Empty
    /// when the options ask for no curvature.
    package let hessians: [[Double]]
    /// Per product, the C it was fitted with.
    package let c: [Double]
}

/// Fits one L2-regularised logistic regression per product, all K together.
///
/// Each product p minimises ½‖w‖² + C_p · Σᵢ vᵢₚ · logloss(yᵢₚ, xᵢ·w + b) over its labelled rows
/// (vᵢₚ: sample × class weight); the intercept is not penalised. The K objectives are computed
/// together by ``LogisticObjective`` (two gemm per block of rows for values and gradients, one
/// per product for Hessians) and minimised by ``NewtonSolver`` (default) or ``LBFGSSolver``.
///
/// The objective is strictly convex, so the optimum is unique. Newton reaches it to about 1e-12
/// relative in the coefficients, which makes models retrained on other CPUs (other OpenBLAS
/// kernels) agree with each other to 1e-9 or better; the tests check the coefficients against
/// scikit-learn's.
package struct LogisticTrainer: Sendable {
    package let options: TrainerOptions

    package init(options: TrainerOptions = TrainerOptions()) { self.options = options }

    package enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidOptions([String])
        case noData(product: Int)
        case oneClass(product: Int, label: Double)

        package var description: String {
            switch self {
            case .invalidOptions(let p): "invalid training options: " + p.joined(separator: "; ")
            case .noData(let k): "product \(k) has no labelled rows to learn from"
            case .oneClass(let k, let label): "product \(k)'s labelled rows are all \(Int(label)); a model needs both outcomes"
            }
        }
    }

    /// Row weights per product: sample weight × class weight, 0 where the label is NaN.
    /// Two row-major passes over the n × K labels: the class totals, then the weights.
    func rowWeights(_ data: TrainingSet) throws(TrainingError) -> Matrix<Double> {
        let n = data.labels.rows, k = data.labels.columns
        // Per product, four rows of K: weighted positives and negatives (for the no-data and
        // one-class checks), then unweighted ones and zeros (scikit-learn's balanced weights
        // count rows). Summed through a pointer: an array mutated inside a closure is boxed and
        // checked on every access.
        var totals = [Double](repeating: 0, count: 4 * k)
        totals.withUnsafeMutableBufferPointer { t in
            data.labels.withUnsafeBufferPointer { ys in
                for i in 0..<n {
                    let s = data.sampleWeights?[i] ?? 1
                    for p in 0..<k {
                        let y = ys[i * k + p]
                        if y == 1 { t[p] += s; t[2 * k + p] += 1 } else if y == 0 { t[k + p] += s; t[3 * k + p] += 1 }
                    }
                }
            }
        }
        let positives = Array(totals[0..<k]), negatives = Array(totals[k..<(2 * k)])
        let count1 = Array(totals[(2 * k)..<(3 * k)]), count0 = Array(totals[(3 * k)...])
        var classWeights = [(negative: Double, positive: Double)](repeating: (1, 1), count: k)
        for p in 0..<k {
            if positives[p] + negatives[p] == 0 { throw .noData(product: p) }
            if positives[p] == 0 || negatives[p] == 0 { throw .oneClass(product: p, label: positives[p] == 0 ? 0 : 1) }
            switch options.classWeights {
            case .none: break
            case .balanced:
                // scikit-learn: n_samples / (n_classes · bincount(y)), counting unweighted rows.
                let total = count0[p] + count1[p]
                classWeights[p] = (total / (2 * count0[p]), total / (2 * count1[p]))
            case .given(let given): classWeights[p] = given[p]
            }
        }
        var w = Matrix<Double>(rows: n, columns: k)
        let perProduct = classWeights  // read-only inside the closure: not boxed
        data.labels.withUnsafeBufferPointer { ys in
            w.withUnsafeMutableBufferPointer { ws in
                for i in 0..<n {
                    let s = data.sampleWeights?[i] ?? 1
                    for p in 0..<k {
                        let y = ys[i * k + p]
                        if y.isNaN { continue }
                        ws[i * k + p] = s * (y == 1 ? perProduct[p].positive : perProduct[p].negative)
                    }
                }
            }
        }
        return w
    }

    /// Per product, the rows with a positive weight.
    static func rowsUsed(_ weights: Matrix<Double>) -> [Int] {
        let n = weights.rows, k = weights.columns
        var used = [Int](repeating: 0, count: k)
        used.withUnsafeMutableBufferPointer { counts in
            weights.withUnsafeBufferPointer { ws in
                for i in 0..<n { for p in 0..<k where ws[i * k + p] > 0 { counts[p] += 1 } }
            }
        }
        return used
    }

    /// Fits all products.
    package func fit(_ data: TrainingSet, kernel: some LinearAlgebraKernel = BLASKernel()) throws(TrainingError) -> TrainingResult {
        let d = data.features.columns, k = data.labels.columns
        let problems = options.problems(products: k)
        guard problems.isEmpty else { throw .invalidOptions(problems) }
        let weights = try rowWeights(data)
        let objective = LogisticObjective(data: data, rowWeights: weights, c: options.cPerProduct ?? Array(repeating: options.c, count: k),
                                          threads: options.threads, kernel: kernel, hessianSampleRows: options.hessianSampleRows)
        let start = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: k)
        let result: SolverResult
        switch options.solver {
        case .newton:
            var solver = NewtonSolver()
            solver.tolerance = options.effectiveTolerance
            solver.maximumIterations = options.effectiveMaximumIterations
            solver.targetValues = options.targetObjectives
            if let signs = options.weightSigns {
                guard signs.allSatisfy({ $0.count == d }) else {
                    throw .invalidOptions(["weight signs are given for \(signs.map(\.count).max() ?? 0) columns, the data has \(d)"])
                }
                solver.lower = signs.map { $0.map { $0 == .nonNegative ? 0 : -.infinity } + [-.infinity] }
                solver.upper = signs.map { $0.map { $0 == .nonPositive ? 0 : .infinity } + [.infinity] }
            }
            result = solver.minimize(objective, from: start)
        case .lbfgs:
            var solver = LBFGSSolver()
            solver.tolerance = options.effectiveTolerance
            solver.maximumIterations = options.effectiveMaximumIterations
            solver.memory = options.memory
            solver.targetValues = options.targetObjectives
            result = solver.minimize(objective, from: start)
        }
        let theta = result.theta
        // One more pass: the curvature at the fit, for the uncertainty of each prediction.
        let hessians = options.curvature ? objective.hessians(theta, problems: Array(0..<k)) : []
        return TrainingResult(
            weights: Matrix(rows: k, columns: d, elements: theta.flatMap { $0.prefix(d) }),
            intercepts: theta.map { $0[d] },
            iterations: result.iterations, objectives: result.values, gradientNorms: result.gradientNorms,
            converged: result.converged,
            rowsUsed: Self.rowsUsed(weights),
            hessians: hessians, c: options.cPerProduct ?? Array(repeating: options.c, count: k))
    }
}
