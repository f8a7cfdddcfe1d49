import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Follow a panel of yearly snapshots: transitions, the backtest of each year's probabilities, the largest movers.",
        discussion: """
            The history holds one row per firm and fiscal year (the same enterprise_id once a year; \
            `finrec synth --years 2022-2025` writes one), its label_<id> columns the outcomes of the \
            year after. Per pair of years: tier upgrades and losses, new 新三板 quotations, listings, \
            regional-board seats, fund investments, exits and entries; per offer and year: AUC, Brier \
            and the expected against the observed successes with the exact 90% interval; the firms \
            whose probability rose or fell most, with the reasons that changed. The same firm and year \
            twice, or a single year, is refused; a founding year, name or city that changes and a \
            listed firm unlisted later are flagged.
            """)

    @Option(name: .long, help: "The panel (CSV or JSON).")
    var history: String

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "Write the result here: CSV (one long table), JSON or an Excel .xlsx workbook; atomically.")
    var output: String?

    @Option(name: .long, help: "Largest rises and falls kept per offer and year.")
    var movers = 10

    @Option(name: .long, help: "Language of reasons: zh or en.")
    var lang: LanguageOption = .zh

    @Flag(name: .long, help: "No table on the terminal (with --output).")
    var quiet = false

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard movers >= 0 else { throw ValidationError("Please give --movers a whole number of at least 0.") }
    }

    func run() throws {
        try checkOutputs(output.map { [$0] } ?? [], force: force)
        let document = try TrackUseCase.track(path: history, modelPath: try DefaultModel.resolve(model), movers: movers, language: lang.language,
                                              reading: reading.readerOptions(for: history), threads: runtime.policy)
        if let output {
            let lower = output.lowercased()
            let format: TrackDocument.Format = lower.hasSuffix(".json") ? .json : lower.hasSuffix(".xlsx") ? .xlsx : .csv
            try AtomicFileWriter.write(try document.bytes(format), to: output)
        }
        if !quiet || output == nil { print(document.table(), terminator: "") }
        if let output { printToStandardError("wrote \(output)") }
    }
}
