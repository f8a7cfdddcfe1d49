import FinRec
import Foundation
import Testing

/// The fixture of make_reference.py: 3,000 rows, 6 features, 3 products, a sample weight.
struct LogisticFixture {
    let features: Matrix<Double>
    let labels: Matrix<Double>
    let weights: [Double]
    let reference: JSONObject

    static let shared: LogisticFixture = try! LogisticFixture()

    init() throws {
        let folder = repositoryRoot() + "/Tests/FinRecTests/Fixtures/logistic"
        let names = (0..<6).map { "x\($0)" } + ["y0", "y1", "y2", "weight"]
        var options = ReaderOptions()
        options.detectDuplicateIds = false
        let schema = RecordSchema.numeric(names, required: false, idField: nil)
        let chunks = try CSVRecordReader(path: folder + "/data.csv", schema: schema, options: options).readAll()
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        for chunk in chunks {
            let columns = names.map { chunk.numeric($0) }
            for r in 0..<chunk.rowCount {
                for j in 0..<6 { x.append(columns[j][r]!) }
                for k in 6..<9 { y.append(columns[k][r] ?? .nan) }
                w.append(columns[9][r]!)
            }
        }
        features = Matrix(rows: w.count, columns: 6, elements: x)
        labels = Matrix(rows: w.count, columns: 3, elements: y)
        weights = w
        guard case .object(let o) = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/reference.json")))) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        reference = o
    }

    /// The reference coefficients (then intercept) of fit `name`.
    func coefficients(_ name: String) -> [Double] {
        guard case .object(let fits)? = reference["fits"], case .object(let fit)? = fits[name],
              case .array(let coef)? = fit["coef"], case .number(let b)? = fit["intercept"] else { preconditionFailure("no fit \(name)") }
        return coef.map { if case .number(let v) = $0 { v } else { .nan } } + [b]
    }
}

@Suite("Logistic trainer against scikit-learn")
struct LogisticTrainerTests {
    let fixture = LogisticFixture.shared

    func train(classWeights: ClassWeights = .none, sampleWeights: Bool = false, solver: TrainerOptions.Solver = .newton,
               kernel: some LinearAlgebraKernel = BLASKernel()) throws -> TrainingResult {
        var options = TrainerOptions()
        options.c = 0.5
        options.solver = solver
        if solver == .lbfgs { options.tolerance = 1e-8 }
        options.classWeights = classWeights
        let data = TrainingSet(features: fixture.features, labels: fixture.labels, sampleWeights: sampleWeights ? fixture.weights : nil)
        return try LogisticTrainer(options: options).fit(data, kernel: kernel)
    }

    /// ‖ours − reference‖∞ / ‖reference‖∞ over the coefficients and the intercept.
    func relativeError(_ result: TrainingResult, product k: Int, _ name: String) -> Double {
        let ours = Array(result.weights.row(k)) + [result.intercepts[k]]
        let reference = fixture.coefficients(name)
        let scale = reference.map(abs).max()!
        return zip(ours, reference).map { abs($0 - $1) }.max()! / scale
    }

    @Test("All three products match scikit-learn (Newton to 1e-6, L-BFGS to 1e-4 relative), missing labels left out",
          arguments: [TrainerOptions.Solver.newton, .lbfgs])
    func matchesScikitLearn(solver: TrainerOptions.Solver) throws {
        let result = try train(solver: solver)
        #expect(result.converged == [true, true, true], "\(result.gradientNorms)")
        #expect(result.rowsUsed[0] == 3_000 && result.rowsUsed[1] < 2_200 && result.rowsUsed[1] > 1_900)
        for (k, name) in [(0, "y0"), (1, "y1_missing_labels"), (2, "y2")] {
            #expect(relativeError(result, product: k, name) < (solver == .newton ? 1e-6 : 1e-4), "\(name): \(relativeError(result, product: k, name))")
        }
        if solver == .newton {
            // Quadratic convergence: a handful of iterations, and the gradient at rounding level.
            #expect(result.iterations.allSatisfy { $0 <= 12 }, "\(result.iterations)")
            #expect(result.gradientNorms.allSatisfy { $0 < 1e-8 }, "\(result.gradientNorms)")
        }
    }

    @Test("Newton fits with the BLAS kernel and the pure-Swift reference kernel agree to 1e-10: another order of every sum, as on another CPU")
    func newtonAgreesAcrossKernels() throws {
        for (classWeights, sampleWeights) in [(ClassWeights.none, false), (.balanced, true)] {
            let blas = try train(classWeights: classWeights, sampleWeights: sampleWeights)
            let reference = try train(classWeights: classWeights, sampleWeights: sampleWeights, kernel: ReferenceKernel())
            for k in 0..<3 {
                let a = Array(blas.weights.row(k)) + [blas.intercepts[k]], b = Array(reference.weights.row(k)) + [reference.intercepts[k]]
                let scale = a.map(abs).max()!
                let worst = zip(a, b).map { abs($0 - $1) }.max()! / scale
                #expect(worst < 1e-10, "product \(k): \(worst)")
            }
        }
    }

    @Test("Balanced class weights match scikit-learn's class_weight='balanced'")
    func balanced() throws {
        let result = try train(classWeights: .balanced)
        #expect(relativeError(result, product: 2, "y2_balanced") < 1e-4)
    }

    @Test("Sample weights match scikit-learn's sample_weight")
    func sampleWeights() throws {
        let result = try train(sampleWeights: true)
        #expect(relativeError(result, product: 0, "y0_weighted") < 1e-4)
    }

    @Test("Newton with a sub-sampled Hessian (every 6th row) reaches the exact Hessian's optimum to 1e-10")
    func subsampledHessian() throws {
        var options = TrainerOptions()
        options.c = 0.5
        let data = TrainingSet(features: fixture.features, labels: fixture.labels, sampleWeights: fixture.weights)
        let exact = try LogisticTrainer(options: options).fit(data)
        options.hessianSampleRows = 500
        let sampled = try LogisticTrainer(options: options).fit(data)
        #expect(sampled.converged == [true, true, true])
        for k in 0..<3 {
            let a = Array(exact.weights.row(k)) + [exact.intercepts[k]], b = Array(sampled.weights.row(k)) + [sampled.intercepts[k]]
            let worst = zip(a, b).map { abs($0 - $1) }.max()! / a.map(abs).max()!
            #expect(worst < 1e-10, "product \(k): \(worst)")
        }
        // Linear instead of quadratic convergence: more iterations, but not many.
        #expect(sampled.iterations.max()! > exact.iterations.max()! && sampled.iterations.max()! <= 40, "\(sampled.iterations) against \(exact.iterations)")
    }

    @Test("The reference kernel gives the same fit with L-BFGS")
    func referenceKernel() throws {
        let result = try train(solver: .lbfgs, kernel: ReferenceKernel())
        #expect(relativeError(result, product: 0, "y0") < 1e-4)
    }

    @Test("The same data and options give bit-identical coefficients, for any worker count", arguments: [TrainerOptions.Solver.newton, .lbfgs])
    func reproducible(solver: TrainerOptions.Solver) throws {
        var options = TrainerOptions()
        options.solver = solver
        // Four copies of the fixture: 12,000 rows, two blocks of the objective, so the workers split them.
        let copies = 4
        let data = TrainingSet(features: Matrix(rows: copies * fixture.features.rows, columns: fixture.features.columns,
                                                elements: Array([[Double]](repeating: fixture.features.storage, count: copies).joined())),
                               labels: Matrix(rows: copies * fixture.labels.rows, columns: fixture.labels.columns,
                                              elements: Array([[Double]](repeating: fixture.labels.storage, count: copies).joined())))
        var fits: [TrainingResult] = []
        for workers in [1, 2, 3] {
            options.threads = ThreadPolicy(workers: workers)
            fits.append(try LogisticTrainer(options: options).fit(data))
        }
        for b in fits.dropFirst() {
            #expect(fits[0].weights.storage.map(\.bitPattern) == b.weights.storage.map(\.bitPattern))
            #expect(fits[0].intercepts.map(\.bitPattern) == b.intercepts.map(\.bitPattern))
        }
    }

    @Test("Bad options and one-class products are refused before any work")
    func refusals() {
        var options = TrainerOptions()
        options.c = 0
        options.maximumIterations = 0
        let data = TrainingSet(features: fixture.features, labels: fixture.labels)
        #expect(throws: LogisticTrainer.TrainingError.invalidOptions(["C must be a positive number, got 0.0", "the iteration cap must be at least 1, got 0"])) {
            _ = try LogisticTrainer(options: options).fit(data)
        }
        let allOnes = TrainingSet(features: Matrix(rows: 2, columns: 1, elements: [1, 2]), labels: Matrix(rows: 2, columns: 1, elements: [1, 1]))
        #expect(throws: LogisticTrainer.TrainingError.oneClass(product: 0, label: 1)) { _ = try LogisticTrainer().fit(allOnes) }
        let none = TrainingSet(features: Matrix(rows: 2, columns: 1, elements: [1, 2]), labels: Matrix(rows: 2, columns: 1, elements: [.nan, .nan]))
        #expect(throws: LogisticTrainer.TrainingError.noData(product: 0)) { _ = try LogisticTrainer().fit(none) }
    }

    @Test("An iteration cap that is too low is reported as not converged", arguments: [TrainerOptions.Solver.newton, .lbfgs])
    func iterationCap(solver: TrainerOptions.Solver) throws {
        var options = TrainerOptions()
        options.solver = solver
        options.maximumIterations = 2
        let result = try LogisticTrainer(options: options).fit(TrainingSet(features: fixture.features, labels: fixture.labels))
        #expect(result.converged.contains(false))
        #expect(result.iterations.allSatisfy { $0 <= 2 })
    }
}

@Suite("Cross-validation")
struct CrossValidationTests {
    let fixture = LogisticFixture.shared

    @Test("Folds are stratified per product, seeded, and leave unlabelled rows out")
    func stratifiedFolds() {
        let folds = CrossValidation.folds(labels: fixture.labels, k: 5, seed: 3)
        #expect(folds == CrossValidation.folds(labels: fixture.labels, k: 5, seed: 3))
        #expect(folds != CrossValidation.folds(labels: fixture.labels, k: 5, seed: 4))
        for p in 0..<3 {
            for outcome in [0.0, 1.0] {
                let counts = (0..<5).map { f in (0..<fixture.labels.rows).filter { fixture.labels[$0, p] == outcome && folds[p][$0] == f }.count }
                #expect(counts.max()! - counts.min()! <= 1, "product \(p) outcome \(outcome): \(counts)")
            }
            let unlabelled = (0..<fixture.labels.rows).filter { fixture.labels[$0, p].isNaN }
            #expect(unlabelled.allSatisfy { folds[p][$0] == -1 })
        }
    }

    @Test("Selection scores every C out of fold and picks the lowest log loss")
    func selection() throws {
        var options = TrainerOptions()
        options.tolerance = 1e-6
        let data = TrainingSet(features: fixture.features, labels: fixture.labels)
        let selection = try CrossValidation.select(data, k: 3, grid: [1, 0.0001], seed: 5, options: options)
        #expect(selection.scores.allSatisfy { $0.map(\.c) == [0.0001, 1] })
        for p in 0..<3 {
            let best = selection.scores[p].min { $0.logLoss < $1.logLoss }!
            #expect(selection.chosen[p] == best.c)
            // C = 0.0001 all but removes the features: its out-of-fold log loss must be the worse one.
            #expect(selection.scores[p][0].logLoss > selection.scores[p][1].logLoss)
            #expect(selection.scores[p][1].auc > 0.7)
        }
    }
}
