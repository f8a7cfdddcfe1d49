import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Bins: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bins",
        abstract: "Show binned features per offer: bins with rows, successes, failures, success rate, WOE and information value (IV).",
        discussion: """
            From a model (--model): the bins it was trained with. From labelled data (--data, with --spec): every \
            numeric feature binned on the data (its own binning, or optimal monotone bins of its raw value), to \
            screen features by IV before training. WOE = ln(share of successes / share of failures): positive where \
            the offer succeeds more often than on average.
            """)

    @Option(name: .long, help: "A trained model: show its bins.")
    var model: String?

    @Option(name: .long, help: "A labelled file: bin every numeric feature of --spec on it.")
    var data: String?

    @Option(name: .long, help: "Feature spec (with --data).")
    var spec = "Models/features.json"

    @Option(name: .long, help: "Offer catalog (with --data; default: Models/catalog.json).")
    var catalog: String?

    @Option(name: .long, help: "Generic data (with --data): a label column to bin against; repeat for more.")
    var label: [String] = []

    @Option(name: .long, help: "Only this offer (repeat for more).")
    var product: [String] = []

    @Option(name: .long, help: "Output: table or json (default: json for an --output ending in .json, else table).")
    var format: BinningDocument.Format?

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        guard (model == nil) != (data == nil) else { throw ValidationError("Give either --model (its bins) or --data (bin a labelled file), not both or neither.") }
        if model != nil && (catalog != nil || !label.isEmpty) { throw ValidationError("--catalog and --label go with --data.") }
    }

    func run() throws {
        let document: BinningDocument
        if let model {
            let loaded = try TrainedModel.read(from: model)
            guard loaded.features.bins.contains(where: { $0 != nil }) else {
                throw ValidationError("\(model) has no binned features; bin a labelled file with --data and --spec, or train with a spec whose features have \"binning\".")
            }
            document = BinningDocument(model: loaded, source: model)
        } else {
            let data = data!
            let pipeline = try makePipeline(data: data, spec: spec, catalog: catalog, labels: label, asOf: assessment.day)
            let (features, products) = try pipeline.binningAnalysis(path: data, reading: reading.readerOptions(for: data))
            document = BinningDocument(features: features, offers: products, source: data)
        }
        let shown = try document.only(products: product)
        let text = shown.render(format ?? (namesJSON(output) ? .json : .table))
        try deliver(text, to: output)
    }
}
