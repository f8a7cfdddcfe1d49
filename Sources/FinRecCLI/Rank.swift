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

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json, xlsx
        /// xlsx is made from the CSV document.
        var document: RankDocument.Format { self == .json ? .json : .csv }
    }

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "The pool: CSV (streamed) or JSON.")
    var input: String

    @Option(name: .long, help: "How many enterprises to keep per offer (eligible and undecided each).")
    var top = 100

    @Option(name: .long, help: "Top lists go here (CSV, JSON or an Excel .xlsx workbook, written atomically).")
    var output: String

    @Option(name: .long, help: "Output format (default: by --output's extension, .json, .xlsx or else CSV).")
    var format: Format?

    @Option(name: .long, help: "Also write every enterprise's best offer to this file: CSV, or JSON Lines when it ends in .jsonl (streamed, written atomically).")
    var best: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Offer ids to rank (default: all the model scores), e.g. --product bse star.")
    var product: [String] = []

    @Option(name: .long, help: "Language of reasons: zh or en.")
    var lang: LanguageOption = .zh

    @Option(name: .long, help: "Also list, per offer, the N enterprises that do not pass but are closest to it by a way open now (the gap of their nearest standard; not one that waits for the next annual accounts or runs into a bar such as the industry), with each shortfall, status and missing fields; equal gaps by the offer's probability, high first, then id.")
    var nearMiss = 0

    @Option(name: .customLong("where"), help: "Rank only the enterprises for which this condition holds, in the rule language, e.g. \"city == '济南' && certification_tier >= 'provincial_srdi'\".")
    var condition: String?

    @Option(name: .long, help: "Reason codes kept per listed enterprise.")
    var reasons = 3

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
        guard top >= 1 else { throw ValidationError("Please give --top a whole number of at least 1.") }
        guard (0...50).contains(reasons) else { throw ValidationError("Please give --reasons a whole number from 0 to 50.") }
        guard nearMiss >= 0 else { throw ValidationError("Please give --near-miss a whole number of 0 or more.") }
        if best == output { throw ValidationError("--best and --output must be different files.") }
        if excel && resolvedFormat != .csv && best == nil { throw ValidationError("--excel marks CSV outputs; --output here is \(resolvedFormat.rawValue).") }
        if let best, best.lowercased().hasSuffix(".json") {
            throw ValidationError("--best writes CSV, or JSON Lines (one object per line) when the name ends in .jsonl; a pool can have millions of rows, so there is no single-document .json form.")
        }
    }

    var resolvedFormat: Format {
        format ?? (output.lowercased().hasSuffix(".json") ? .json : output.lowercased().hasSuffix(".xlsx") ? .xlsx : .csv)
    }

    func run() throws {
        for path in [output] + (best.map { [$0] } ?? []) where !force && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; pass --force to replace it.")
        }
        // From here on Ctrl-C (or SIGTERM) stops the run cleanly, at any point before the outputs
        // are renamed into place: during start-up, the read, or the final rendering.
        let interrupt = InterruptFlag.install()
        let modelPath = try DefaultModel.resolve(model)
        let trained = try TrainedModel.read(from: modelPath)
        let scorer = try OfferScorer(model: trained, asOf: assessment.day, threads: .singleThreaded)
        let offers = try selectedOffers(scorer)
        let reader = try EnterpriseFileReader(path: input, options: reading.readerOptions(for: input))
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? nil
        let progress = Progress(total: size ?? 0, label: "rank", quiet: quiet || size == nil)
        var ranking = PoolRanking(scorer: scorer, offers: offers, top: top, reasonCount: reasons, workers: runtime.policy.workers)
        ranking.nearMisses = nearMiss
        ranking.language = lang.language
        if let condition {
            do { ranking.filter = try PoolRanking.filter(condition, scorer: scorer) } catch {
                throw ValidationError("--where \"\(condition)\": \(error)")
            }
        }
        let bestFile = try best.map { try BestOfferFile(path: $0, excel: excel) }
        defer { bestFile?.discard() }  // after an error or interruption: no file (a no-op once committed)
        let started = Date()
        var rowsScanned = 0
        let ranker: PoolRanker
        do {
            ranker = try ranking.run(reader, best: bestFile,
                                     progress: { reader, rows in
                                         rowsScanned = rows
                                         progress.update(bytes: reader.bytesRead, rows: rows)
                                     },
                                     shouldStop: { interrupt.isSet })
        } catch {
            progress.finish()
            if error is Interrupted { throw interrupted(after: rowsScanned) }
            throw error
        }
        progress.finish()
        let report = try reader.finish()
        let rankReport = RankDocument(ranker: ranker, scorer: scorer, modelPath: modelPath, asOf: assessment.asOf, language: lang.language)
        let text = rankReport.render(resolvedFormat.document)
        // A signal that came after the last chunk was read still stops the run before any rename.
        if interrupt.isSet { throw interrupted(after: ranker.rows) }
        switch resolvedFormat {
        case .xlsx: try Workbooks.rank(csv: text, language: lang.language).write(to: output)
        case .csv: try AtomicFileWriter.write(Array(((excel ? CSVField.byteOrderMark : "") + text).utf8), to: output)
        case .json: try AtomicFileWriter.write(Array(text.utf8), to: output)
        }
        try bestFile?.commit()
        if !quiet {
            printToStandardError(rankReport.summary(report: report, seconds: Date().timeIntervalSince(started), output: output, best: best))
        }
    }

    /// Ctrl-C or SIGTERM: nothing was written.
    func interrupted(after rows: Int) -> ExitCode {
        printToStandardError("finrec rank: interrupted after \(rows) rows; nothing was written (\(output) is as it was)")
        return ExitCode(130)
    }

    /// The catalog indices of the offers to rank: those named by --product, else every offer
    /// the model has a product for.
    func selectedOffers(_ scorer: OfferScorer) throws -> [Int] {
        do {
            return try scorer.offerIndices(product, allowingRulesOnly: nearMiss > 0)
        } catch {
            switch error {
            case .unknown(let id):
                throw ValidationError("--product \(id): no such offer; the catalog has " + scorer.catalog.offers.map(\.displayName).joined(separator: ", "))
            case .noWeights(let offer):
                throw ValidationError("--product \(offer.id): the model has no weights for \(offer.displayName), so it has no top list; add --near-miss N for the enterprises closest to it, or retrain with its label column")
            }
        }
    }
}
