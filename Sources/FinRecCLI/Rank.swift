import ArgumentParser
import Dispatch
import FinRec
import FinRecCLISupport
import FoundationEssentials

struct Rank: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank a pool of enterprises for each offer: the top K eligible (and, apart, the top K undecided) by probability, and each enterprise's best offer.",
        discussion: """
            Streams the input in chunks: memory stays flat whatever the pool size (at most \
            threads + 1 chunks in flight, about 70 MB each at the default 32,768 rows, plus K entries \
            per offer). One thread splits records while the others decode, score and rank chunks; \
            results are identical for any --threads and --chunk-rows. Ties are broken by enterprise \
            id. Outputs are written atomically: a run that fails leaves no file.
            """)

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "The pool: CSV (streamed) or JSON.")
    var input: String

    @Option(name: .long, help: "How many enterprises to keep per offer (eligible and undecided each).")
    var top = RankOptions().top

    @Option(name: .long, help: "Top lists go here (CSV, JSON or an Excel .xlsx workbook, written atomically).")
    var output: String

    @Option(name: .long, help: "Output format (default: by --output's extension, .json, .xlsx or else CSV).")
    var format: RankDocument.Format?

    @Option(name: .long, help: "Also write every enterprise's best offer to this file: CSV, or JSON Lines when it ends in .jsonl (streamed, written atomically).")
    var best: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Offer ids to rank (default: all the model scores), e.g. --product bse star.")
    var product: [String] = []

    @Option(name: .long, help: "Language of reasons: zh or en.")
    var lang: LanguageOption = .zh

    @Option(name: .long, help: "Also list, per offer, the N enterprises that do not pass but are closest to it by a way open now (the gap of their nearest standard; not one that waits for the next annual accounts or runs into a bar such as the industry), with each shortfall, status and missing fields; equal gaps by the offer's probability, high first, then id.")
    var nearMiss = RankOptions().nearMisses

    @Option(name: .customLong("where"), help: "Rank only the enterprises for which this condition holds, in the rule language, e.g. \"city == '济南' && certification_tier >= 'provincial_srdi'\".")
    var condition: String?

    @Option(name: .long, help: "Reason codes kept per listed enterprise.")
    var reasons = RankOptions().reasons

    @Flag(name: .long, help: "No progress bar and no summary.")
    var quiet = false

    @Flag(name: .long, help: "Replace existing output files.")
    var force = false

    @Flag(name: .long, help: "CSV outputs (--output, --best) start with a UTF-8 byte-order mark, so Excel shows Chinese right.")
    var excel = false

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError(error.message(.commandLine)) }
        if best == output { throw ValidationError("--best and --output must be different files.") }
        if excel && resolvedFormat != .csv && best == nil { throw ValidationError("--excel marks CSV outputs; --output here is \(resolvedFormat.rawValue).") }
        if let best, best.lowercased().hasSuffix(".json") {
            throw ValidationError("--best writes CSV, or JSON Lines (one object per line) when the name ends in .jsonl; a pool can have millions of rows, so there is no single-document .json form.")
        }
    }

    var resolvedFormat: RankDocument.Format {
        format ?? (output.lowercased().hasSuffix(".json") ? .json : output.lowercased().hasSuffix(".xlsx") ? .xlsx : .csv)
    }

    /// The use case's options, from the flags.
    var options: RankOptions {
        var options = RankOptions()
        options.top = top
        options.products = product
        options.nearMisses = nearMiss
        options.reasons = reasons
        options.language = lang.language
        options.condition = condition
        options.workers = runtime.policy.workers
        return options
    }

    func run() throws {
        // Refused before the pool is read.
        try checkOutputs([output] + (best.map { [$0] } ?? []), force: force)
        // From here on Ctrl-C (or SIGTERM) stops the run cleanly, at any point before the outputs
        // are renamed into place: during start-up, the read, or the final rendering.
        let interrupt = InterruptFlag.install()
        let model = try ScoringModel(path: try DefaultModel.resolve(model), asOf: assessment.asOf)
        // Options, offers and the condition are checked before the input is opened.
        _ = try commandLineErrors { try RankUseCase.ranking(options, model: model) }
        let reader = try EnterpriseFileReader(path: input, options: reading.readerOptions(for: input))
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? nil
        let progress = Progress(total: size ?? 0, label: "rank", quiet: quiet || size == nil)
        let bestFile = try best.map { try BestOfferFile(path: $0, catalog: model.scorer.catalog, excel: excel) }
        defer { bestFile?.discard() }  // after an error or interruption: no file (a no-op once committed)
        let started = Date()
        var rowsScanned = 0
        var report: ReadReport?
        let document: RankDocument
        do {
            document = try commandLineErrors {
                try RankUseCase.rank(reader, model: model, options: options, best: bestFile,
                                     progress: { reader, rows in
                                         rowsScanned = rows
                                         progress.update(bytes: reader.bytesRead, rows: rows)
                                     },
                                     shouldStop: { interrupt.isSet }, report: { report = $0 })
            }
        } catch {
            progress.finish()
            if error is Interrupted { throw interrupted(after: rowsScanned) }
            throw error
        }
        progress.finish()
        let bytes = try document.bytes(resolvedFormat, byteOrderMark: excel)
        // A signal that came after the last chunk was read still stops the run before any rename.
        if interrupt.isSet { throw interrupted(after: document.ranker.rows) }
        try AtomicFileWriter.write(bytes, to: output)
        try bestFile?.commit()
        if !quiet {
            printToStandardError(document.summary(report: report ?? ReadReport(), seconds: Date().timeIntervalSince(started), output: output, best: best))
        }
    }

    /// Ctrl-C or SIGTERM: nothing was written.
    func interrupted(after rows: Int) -> ExitCode {
        printToStandardError("finrec rank: interrupted after \(rows) rows; nothing was written (\(output) is as it was)")
        return ExitCode(130)
    }
}
