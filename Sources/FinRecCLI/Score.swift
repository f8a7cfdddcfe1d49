import ArgumentParser
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score one applicant: every offer ranked, with probability, points, reason codes and the rules that block the rest.",
        discussion: """
            APPLICANT is a JSON object (or array, or JSON Lines), a CSV with a header, or - for \
            standard input. Eligible offers come first by suitability, then undecided ones with the \
            fields that would decide them, then ineligible ones with the rule that blocks them. \
            The JSON output is a stable contract, documented in README.md.

            table, json and xlsx (an Excel workbook: one row per applicant and offer, the key \
            figures, the 补充资料; needs --output) hold up to 10,000 applicants. csv (one line per applicant and offer, as \
            ranked for the officer) and rows (one line per enterprise and offer in catalog order: \
            status, held, logit, probability, points and reason1 … — what `finrec export` gives in \
            SQL and PMML) stream a file of any size, on --threads workers, to --output or standard output.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv, rows, xlsx
        var document: ScoreDocument.Format? { ScoreDocument.Format(rawValue: rawValue) }
        /// csv and rows stream any number of applicants.
        var streams: Bool { self == .csv || self == .rows }
    }

    @Argument(help: "Applicant file (.json, .jsonl or .csv), or - for standard input.")
    var applicant: String

    @Option(name: .long, help: "Model file (default: $FINREC_MODEL, else Models/default-model.json here or beside the finrec executable's package).")
    var model: String?

    @Option(name: .long, help: "Output format: table, json, csv, rows or xlsx.")
    var format: Format = .table

    @Option(name: .long, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Language of reasons and labels: zh or en (offer names always show their Chinese name).")
    var lang: LanguageOption = .zh

    @Option(name: .long, help: "How many reason codes up and down to show per offer.")
    var reasons = ScoreOptions().reasons

    @Option(name: .long, help: "Order offers within a status by probability, or priced offers by their cost after subsidies (cost).")
    var sort: ApplicantAssessment.Order = .probability

    @Option(name: .long, help: ArgumentHelp("Cost loans at these loan prime rates instead of the catalog's table on the assessment date: \(ScoreOptions.LoanPrimeRate.syntax).", valueName: "1Y,5Y"))
    var lpr: ScoreOptions.LoanPrimeRate?

    @Flag(name: .long, help: "csv and rows: start with a UTF-8 byte-order mark, so Excel shows Chinese right.")
    var excel = false

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError(error.message(.commandLine)) }
        if format == .xlsx && output == nil { throw ValidationError("--format xlsx writes a workbook: give it a file with --output NAME.xlsx.") }
        if excel && !format.streams { throw ValidationError("--excel goes with --format csv or rows (for a workbook use --format xlsx).") }
    }

    /// The use case's options, from the flags.
    var options: ScoreOptions {
        var options = ScoreOptions()
        options.language = lang.language
        options.reasons = reasons
        options.order = sort
        options.lpr = lpr
        return options
    }

    func run() throws {
        if format.streams {
            try stream()
        } else if format == .xlsx, let output {
            let document = try document()
            try Workbooks.score(document.report(), catalog: document.scorer.catalog).write(to: output)
        } else {
            try deliver(try render(), to: output)
        }
    }

    /// csv and rows: every enterprise of a file of any size, chunk by chunk in file order.
    func stream() throws {
        let model = try ScoringModel(path: try DefaultModel.resolve(model), asOf: assessment.asOf)
        // Officer's lines cost about a millisecond each: small chunks keep every worker busy.
        let reader = try EnterpriseFileReader(path: applicant, options: reading.readerOptions(for: applicant, defaultChunkRows: format == .csv ? 1_024 : nil))
        let file = try output.map { (path) throws(FileWriteError) in try AtomicFileWriter(path: path) }
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            if let file { try file.write(bytes) } else { try FileHandleWriter.writeStandardOutput(bytes) }
        }
        do {
            if excel { try Array(CSVField.byteOrderMark.utf8).withUnsafeBytes(emit) }
            _ = try commandLineErrors {
                try ScoreUseCase.stream(reader, model: model, options: options, lines: format == .rows ? .rows : .csv,
                                        workers: runtime.policy.workers, write: emit, report: Self.warnUnknownColumns(reader.path))
            }
            try file?.commit()
        } catch {
            file?.discard()
            throw error
        }
    }

    /// The applicants' assessments (table, json, xlsx).
    func document() throws -> ScoreDocument {
        let model = try ScoringModel(path: try DefaultModel.resolve(model), asOf: assessment.asOf, threads: runtime.policy)
        let reader = try EnterpriseFileReader(path: applicant, options: reading.readerOptions(for: applicant))
        return try commandLineErrors {
            try ScoreUseCase.assess(reader, model: model, options: options, report: Self.warnUnknownColumns(reader.path))
        }
    }

    /// The report the command prints.
    /// - Parameter documentFormat: the document to render (default: --format's).
    func render(_ documentFormat: ScoreDocument.Format? = nil) throws -> String {
        try document().render(documentFormat ?? format.document!)
    }

    /// Warns on standard error about the columns of `path` FinRec does not know.
    static func warnUnknownColumns(_ path: String) -> (ReadReport) -> Void {
        { report in
            if let warning = EnterpriseSchema.schema.unknownFieldsWarning(report.unknownColumns, file: path) {
                FileHandleWriter.writeStandardError("warning: " + warning + "\n")
            }
        }
    }
}
