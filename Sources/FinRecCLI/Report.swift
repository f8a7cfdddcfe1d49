import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report for a risk committee: per offer ROC and KS curves, calibration, points distributions, the gains table and IV ranking; with --baseline, population stability.",
        discussion: """
            The file has its charts as inline SVG and loads nothing (no script, font or request); open or print it in \
            any browser. IV: every numeric feature of the model's spec binned on --data's labels.
            """)

    @Option(name: .long, help: "The model (default: Models/default-model.json).")
    var model: String?

    @Option(name: .long, help: "Labelled data to evaluate on (label_<offer id> columns).")
    var data: String

    @Option(name: .long, help: "A baseline population: adds PSI of the points and CSI of the features (data against baseline).")
    var baseline: String?

    @Option(name: .long, help: "A plan file (finrec plan --example): adds its section, the firms chosen on --data with the expected successes against each target.")
    var plan: String?

    @Option(name: .long, help: "A panel of yearly snapshots (finrec synth --years): adds the backtest by year, expected against observed successes.")
    var history: String?

    @Option(name: .long, help: "Where to write the HTML (atomically).")
    var output: String

    @Flag(name: .long, help: "Leave out the IV ranking (saves two passes over --data).")
    var noIv = false

    @OptionGroup var bandsOption: BandsOption
    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let modelPath = try DefaultModel.resolve(model)
        let loaded = try TrainedModel.read(from: modelPath)
        let options = reading.readerOptions(for: data)
        // The plan is read and checked before the long work.
        let scoring = try plan.map { _ in try ScoringModel(path: modelPath, asOf: assessment.asOf, threads: runtime.policy) }
        let checkedPlan = try plan.flatMap { path in try scoring.map { try PlanUseCase.readPlan(path: path, model: $0) } }
        let evaluation = try ModelEvaluation.evaluate(model: loaded, path: data, asOf: assessment.day, reading: options, threads: runtime.policy)
        var iv: BinningDocument?
        if !noIv {
            var pipeline = TrainingPipeline(spec: loaded.features.spec, catalog: loaded.catalog, asOf: assessment.day)
            pipeline.schema = loaded.features.schema
            pipeline.labelPrefix = loaded.labelPrefix
            let (features, products) = try pipeline.binningAnalysis(path: data, reading: options)
            iv = BinningDocument(features: features, offers: products, source: data)
        }
        let stability = try baseline.map {
            try PopulationStability.measure(model: loaded, baseline: $0, data: data, asOf: assessment.day, bands: bandsOption.bands, reading: options, threads: runtime.policy)
        }
        let generated = Date().formatted(.iso8601)
        var report = HTMLReport(model: loaded, modelPath: modelPath, evaluation: evaluation, dataPath: data, informationValues: iv,
                                stability: stability, asOf: assessment.asOf, generated: generated)
        report.bands = bandsOption.bands
        if let history {
            report.track = try TrackUseCase.track(path: history, modelPath: modelPath, movers: 0, reading: reading.readerOptions(for: history),
                                                  threads: runtime.policy)
        }
        if let checkedPlan, let scoring {
            report.plan = try PlanUseCase.plan(try EnterpriseFileReader(path: data, options: options), plan: checkedPlan, model: scoring,
                                               workers: runtime.policy.workers)
        }
        let html = report.render()
        try AtomicFileWriter.write(Array(html.utf8), to: output)
        printToStandardError("wrote \(output) (\(html.utf8.count / 1024) KiB): \(evaluation.products.count) offers on \(evaluation.rows) rows" + (stability == nil ? "" : ", with stability against \(baseline!)"))
    }
}
