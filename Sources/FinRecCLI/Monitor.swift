import ArgumentParser
import FinRec
import FinRecCLISupport

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Population drift: PSI of each offer's points and CSI of each feature, new data against a baseline.",
        discussion: """
            Bins are fixed on the baseline: points in bands of about equal population, binned features in their model \
            bins, other numeric features in deciles plus missing, categories by category. PSI = Σ (new share − base share) \
            × ln(new share / base share); below 0.1 stable (稳定), 0.1–0.25 watch (关注), above 0.25 act (需处理). Points \
            count on the rows each offer's rule does not rule out.
            """)

    @Option(name: .long, help: "The model (default: Models/default-model.json).")
    var model: String?

    @Option(name: .long, help: "The reference population (e.g. the training or last quarter's applicants), a file.")
    var baseline: String

    @Option(name: .long, help: "The new population, a file.")
    var data: String

    @Flag(name: .long, help: "Also list every bin with both populations' shares.")
    var detail = false

    @Option(name: .long, help: "Output: table or json (default: json for an --output ending in .json, else table).")
    var format: MonitorDocument.Format?

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var bandsOption: BandsOption
    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let loaded = try TrainedModel.read(from: try DefaultModel.resolve(model))
        let stability = try PopulationStability.measure(model: loaded, baseline: baseline, data: data, asOf: assessment.day, bands: bandsOption.bands,
                                                        reading: reading.readerOptions(for: data), threads: runtime.policy)
        let text = MonitorDocument(stability: stability, showsBins: detail).render(format ?? (namesJSON(output) ? .json : .table))
        try deliver(text, to: output)
    }
}
