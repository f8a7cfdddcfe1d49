import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one logistic model per offer from labelled history and write the model file.",
        discussion: """
            Labels come from columns label_<offer id> (1 success, 0 failure, empty when the firm did not \
            apply). Rows whose label is empty, or whose eligibility rule fails for the offer, are left \
            out of that offer's fit. All offers are fitted together (Newton's method by default, gradients and Hessians by BLAS).
            """)

    @Option(name: .long, help: "Labelled enterprise file (CSV, JSON or JSON Lines).")
    var data: String

    @Option(name: .long, help: "Where to write the model.")
    var output: String

    @Option(name: .long, help: "Feature spec.")
    var spec = "Models/features.json"

    @Option(name: .long, help: "Offer catalog with the eligibility rules (default: Models/catalog.json).")
    var catalog: String?

    @Option(name: .long, help: "Generic data: a label column (1, 0 or empty) to train a product on; repeat for more. The CSV's other columns become numbers or text as their values show, and the spec names them. No catalog, no eligibility rules.")
    var label: [String] = []

    @Option(name: .long, help: "What a label's 1 means for the applicant: favourable (approval, success; a higher probability is better) or adverse (default, a bad loan: a PD model, where a higher probability is worse). Missing data never helps the applicant, values are clipped only where that would help, and a spec direction \"+\" (more is good for the firm) lowers an adverse probability.")
    var event: EventChoice = .favourable

    @Option(name: .customLong("c"), help: "Inverse L2 regularisation strength (scikit-learn's C), fixed: no cross-validation unless --cv-folds is given too. Left out, each offer's C is chosen by 5-fold cross-validation.")
    var c: Double?

    @Option(name: .long, help: "Choose each offer's C by k-fold cross-validation (stratified, seeded) when 2 or more; 0 fits C = --c (default 1) once. (default: 5 without --c, 0 with it)")
    var cvFolds: Int?

    @Option(name: .long, help: "The C values cross-validation tries, comma-separated (half-decades from 0.001 to 10).")
    var cGrid = Self.defaultGrid

    /// Measured on five public credit datasets (Benchmarks/realdata.sh): the best C lay between
    /// 0.01 and 0.3, and a decade grid missed it by up to 0.004 AUC.
    static let defaultGrid = "0.001,0.003,0.01,0.03,0.1,0.3,1,3,10"

    /// The folds used: `--cv-folds` as given, else 5 unless `--c` fixes C.
    var folds: Int { cvFolds ?? (c == nil ? 5 : 0) }
    /// The C of a fit without cross-validation.
    var fixedC: Double { c ?? 1 }

    @Option(name: .long, help: "Seed of the cross-validation folds.")
    var seed: UInt64 = 2022

    @Option(name: .long, help: "Class weights: none or balanced.")
    var classWeights: ClassWeightChoice = .none

    @Option(name: .long, help: "Optimiser: newton (exact Hessian; converges to the optimum, so models retrained on any CPU agree) or lbfgs.")
    var solver: SolverChoice = .newton

    @Option(name: .long, help: "Stopping tolerance. Newton: stop once a step moves no coefficient by more than this share of the largest (default 1e-10). L-BFGS: stop when the gradient's largest entry falls below this share of its start (default 1e-6).")
    var tolerance: Double?

    @Option(name: .long, help: "Iteration cap (default: 100 for Newton, 1000 for L-BFGS).")
    var maxIterations: Int?

    @Option(name: .long, help: "A labelled file kept out of training: the model is measured on it and its metrics are stored in the model file.")
    var holdout: String?

    @Option(name: .long, help: "Keep the feature matrix in memory up to this many GiB; a larger one goes to a memory-mapped temporary file.")
    var featureMemoryGib = 4.0

    @Option(name: .long, help: "Folder for the temporary feature file (default: the system's temporary folder).")
    var temporaryFolder: String?

    @OptionGroup var assessment: AssessmentDateOption

    @Flag(name: .long, help: "Replace an existing model file.")
    var force = false

    @Flag(name: .long, help: "Ignore the spec's directions (monotone constraints), e.g. to measure what they cost with `finrec evaluate --baseline`.")
    var noDirections = false

    @Option(name: .long, help: "Probability calibration: platt (fitted on cross-validation's out-of-fold logits and folded into the weights), none, or auto (platt with --cv-folds, otherwise none).")
    var calibration: CalibrationChoice = .auto

    @Option(name: .long, help: "What the training data are: synthetic (a generated history, e.g. from `finrec synth`) or bank (real outcomes). Stored in the model; outputs of a synthetic model say its probabilities are learnt from a simulation.")
    var dataOrigin: DataOriginArgument?

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    enum EventChoice: String, ExpressibleByArgument, CaseIterable { case favourable, adverse }
    enum CalibrationChoice: String, ExpressibleByArgument, CaseIterable { case auto, platt, none }
    enum ClassWeightChoice: String, ExpressibleByArgument, CaseIterable { case none, balanced }
    enum SolverChoice: String, ExpressibleByArgument, CaseIterable { case newton, lbfgs }

    func validate() throws {
        if let c { guard c > 0 && c.isFinite else { throw ValidationError("Please give --c a positive number.") } }
        guard folds == 0 || folds >= 2 else { throw ValidationError("Please give --cv-folds 0 (no cross-validation) or at least 2.") }
        if calibration == .platt && folds < 2 {
            throw ValidationError("--calibration platt is fitted on cross-validation's out-of-fold logits: add --cv-folds 5, or give --calibration none.")
        }
        guard let grid = parsedGrid, !grid.isEmpty, grid.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ValidationError("Please give --c-grid as positive numbers separated by commas, e.g. 0.1,1,10.")
        }
        _ = grid
        guard featureMemoryGib >= 0 && featureMemoryGib.isFinite else { throw ValidationError("Please give --feature-memory-gib a number of 0 or more.") }
        if !label.isEmpty {
            if catalog != nil { throw ValidationError("--catalog goes with enterprise data; a generic model (--label) has no eligibility rules.") }
            if Set(label).count != label.count { throw ValidationError("Each --label column may be given once.") }
        }
        if let tolerance { guard tolerance > 0 && tolerance.isFinite else { throw ValidationError("Please give --tolerance a positive number.") } }
        if let maxIterations { guard maxIterations >= 1 else { throw ValidationError("Please give --max-iterations a whole number of at least 1.") } }
    }

    var parsedGrid: [Double]? {
        let values = cGrid.split(separator: ",").map { Double(String($0).trimmingSpaces) }
        return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
    }

    func run() throws {
        var pipeline = try makePipeline(data: data, spec: spec, catalog: catalog, labels: label, asOf: assessment.day)
        pipeline.options.c = fixedC
        pipeline.options.classWeights = classWeights == .balanced ? .balanced : .none
        pipeline.options.solver = solver == .newton ? .newton : .lbfgs
        pipeline.options.tolerance = tolerance
        pipeline.options.maximumIterations = maxIterations
        pipeline.options.threads = runtime.policy
        pipeline.crossValidationFolds = folds
        pipeline.cGrid = parsedGrid!
        pipeline.seed = seed
        pipeline.ignoresDirections = noDirections
        pipeline.dataOrigin = dataOrigin.map { $0 == .synthetic ? .synthetic : .bank }
        pipeline.polarity = event == .adverse ? .adverse : .favourable
        pipeline.calibration = calibration == .platt || (calibration == .auto && folds >= 2) ? .platt : .none
        pipeline.inMemoryFeatureBytes = Int(featureMemoryGib * Double(1 << 30))
        if let temporaryFolder { pipeline.temporaryFolder = temporaryFolder }
        var trained: (TrainedModel, TrainingPipeline.Summary)
        do {
            trained = try pipeline.train(path: data, reading: reading.readerOptions(for: data))
        } catch {
            // The default cross-validation needs both outcomes in every fold's training rows of
            // every offer; an offer with fewer failures (or successes) than folds has not: fit C = 1.
            guard case .training(.oneClass(let product, _)) = error, cvFolds == nil, c == nil else { throw error }
            FileHandleWriter.writeStandardError("note: cross-validation left product \(product) with one outcome in a fold (too few labelled rows of one kind); fitted C = 1 without it. Give --c to choose C yourself.\n")
            var fallback = pipeline
            fallback.crossValidationFolds = 0
            if calibration == .auto { fallback.calibration = .none }
            trained = try fallback.train(path: data, reading: reading.readerOptions(for: data))
        }
        var (model, summary) = trained
        var holdoutAUC: [String: Double] = [:]
        if let holdout {
            let evaluation = try ModelEvaluation.evaluate(model: model, path: holdout, asOf: assessment.day, threads: runtime.policy)
            model = model.recordingHoldout(evaluation, file: AtomicFileWriter.folderAndName(holdout).name, sha256: TrainingPipeline.fingerprint(holdout))
            for p in evaluation.products { holdoutAUC[p.id] = p.metrics.auc }
        }
        try model.write(to: output, overwrite: force)
        let nameWidth = (model.linear.products.map(\.displayName.displayWidth).max() ?? 0) + 2
        var lines = ["trained on \(summary.rows) rows of \(data) (event: \(model.features.polarity.rawValue)); wrote \(output)",
                     "offer".padded(to: nameWidth) + "rows used  iterations  train AUC" + (holdout == nil ? "" : "  hold-out AUC")
                        + (folds >= 2 ? "  calibration (out-of-fold ECE before → after)" : "")]
        for product in model.linear.products {
            let auc = model.metrics[product.id].map { Fixed.format($0.auc, digits: 3) } ?? "-"
            let warning = summary.converged[product.id] == true ? "" : "  (stopped at the iteration cap: not converged; raise --max-iterations)"
            lines.append(product.displayName.padded(to: nameWidth) + String(summary.rowsUsed[product.id] ?? 0).padded(to: 10)
                         + " " + String(summary.iterations[product.id] ?? 0).padded(to: 11) + " " + auc.padded(to: 10)
                         + (holdoutAUC[product.id].map { "  " + ($0.isFinite ? Fixed.format($0, digits: 3) : "- (one outcome only)") } ?? "")
                         + calibrationText(model.metrics[product.id]?.calibration, uncalibrated: summary.uncalibrated[product.id]) + warning)
        }
        printToStandardError(lines.joined(separator: "\n"))
    }

    func calibrationText(_ record: CalibrationRecord?, uncalibrated reason: String?) -> String {
        if let reason { return "  none: \(reason)" }
        guard let r = record else { return "" }
        return "  σ(\(Fixed.format(r.scaling.slope, digits: 3))·z \(r.scaling.intercept < 0 ? "−" : "+") \(Fixed.format(abs(r.scaling.intercept), digits: 3)))"
            + "  \(Fixed.format(r.eceBefore, digits: 3)) → \(Fixed.format(r.eceAfter, digits: 3))"
    }
}

/// The training pipeline for enterprise data (spec and catalog), or for generic data whose
/// `labels` columns are the products (the schema inferred from the CSV, no eligibility rules).
func makePipeline(data: String, spec: String, catalog: String?, labels: [String], asOf day: Int) throws -> TrainingPipeline {
    guard !labels.isEmpty else {
        return TrainingPipeline(spec: try FeatureSpec.read(path: spec), catalog: try Catalog.read(path: catalog ?? "Models/catalog.json"), asOf: day)
    }
    let schema = try GenericSchema.infer(csvPath: data, excluding: Set(labels))
    var pipeline = TrainingPipeline(spec: try FeatureSpec.read(path: spec, schema: schema),
                                    catalog: try Catalog.generic(products: labels, schema: schema), asOf: day)
    pipeline.schema = schema
    pipeline.labelPrefix = ""
    return pipeline
}

enum DataOriginArgument: String, ExpressibleByArgument, CaseIterable { case synthetic, bank }
