import ArgumentParser
import FinRec
import FinRecCLISupport

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a trained model on labelled enterprises: per-offer AUC, KS, log loss, Brier, precision and lift at the top, and per-enterprise NDCG@3 and hit@1.",
        discussion: """
            With --baseline, shows a second model side by side with the differences (champion/challenger). \
            On generated data with truth_<id> columns it also shows the oracle's AUC.
            """)

    @Option(name: .long, help: "The model to evaluate (written by finrec train).")
    var model: String

    @Option(name: .long, help: "Labelled enterprise file (label_<offer id> columns).")
    var data: String

    @Option(name: .long, help: "A second model to compare with.")
    var baseline: String?

    @Option(name: .long, help: "How many top-scored rows per offer count for precision and lift.")
    var top = 100

    @OptionGroup var assessment: AssessmentDateOption

    @Option(name: .long, help: "Output: table or json.")
    var format: EvaluationDocument.Format = .table

    @Flag(name: .long, help: "Also print each offer's reliability table (calibration deciles) in the table.")
    var reliability = false

    @Flag(name: .long, help: "Also show each offer's gains (strategy) table: score bands with rows, success rate, and cumulated approval rate, success rate and KS, to set cut-offs.")
    var gains = false

    @OptionGroup var bandsOption: BandsOption

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("Please give --top a whole number of at least 1.") }
    }

    func run() throws {
        print(try render(), terminator: "")
    }

    /// The report the command prints.
    func render() throws -> String {
        let options = reading.readerOptions(for: data)
        var event = FittedFeatures.EventPolarity.favourable
        func evaluate(_ path: String) throws -> ModelEvaluation {
            let trained = try TrainedModel.read(from: path)
            if path == model { event = trained.features.polarity }
            return try ModelEvaluation.evaluate(model: trained, path: data, asOf: assessment.day, top: top, reading: options, threads: runtime.policy)
        }
        let main = try evaluate(model)
        let other = try baseline.map(evaluate)
        return EvaluationDocument(evaluation: main, baseline: other, showsReliability: reliability, gainsBands: gains ? bandsOption.bands : nil,
                                  event: event).render(format)
    }
}
