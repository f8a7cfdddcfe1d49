import ArgumentParser
import Dispatch
import FinRec
import Foundation

struct Rank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank a pool of enterprises for each offer: the top K eligible (and, apart, the top K undecided) by probability, and each enterprise's best offer.",
        discussion: """
            Streams the input in chunks: memory stays flat whatever the pool size (at most \
            threads + 1 chunks in flight, about 70 MB each at the default 32,768 rows, plus K entries \
            per offer). One thread splits records while the others decode, score and rank chunks; \
            results are identical for any --threads and --chunk-rows. Ties are broken by enterprise \
            id. Outputs are written atomically: a run that fails leaves no file.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @Option(name: .long, help: "Model file (default: as for `finrec score`).")
    var model: String?

    @Option(name: .long, help: "The pool: CSV (streamed) or JSON.")
    var input: String

    @Option(name: .long, help: "How many enterprises to keep per offer (eligible and undecided each).")
    var top = 100

    @Option(name: .long, help: "Top lists go here (CSV or JSON, written atomically).")
    var output: String

    @Option(name: .long, help: "Output format (default: by --output's extension, .json or else CSV).")
    var format: Format?

    @Option(name: .long, help: "Also write every enterprise's best offer to this file: CSV, or JSON Lines when it ends in .jsonl (streamed, written atomically).")
    var best: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Offer ids to rank (default: all the model scores), e.g. --product bse star.")
    var product: [String] = []

    @Option(name: .long, help: "Language of reasons: zh or en.")
    var lang: LanguageOption = .zh

    @Option(name: .long, help: "Reason codes kept per listed enterprise.")
    var reasons = 3

    @Flag(name: .long, help: "No progress bar and no summary.")
    var quiet = false

    @Flag(name: .long, help: "Replace existing output files.")
    var force = false

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("Please give --top a whole number of at least 1.") }
        guard (0...50).contains(reasons) else { throw ValidationError("Please give --reasons a whole number from 0 to 50.") }
        if best == output { throw ValidationError("--best and --output must be different files.") }
        if let best, best.lowercased().hasSuffix(".json") {
            throw ValidationError("--best writes CSV, or JSON Lines (one object per line) when the name ends in .jsonl; a pool can have millions of rows, so there is no single-document .json form.")
        }
    }

    var resolvedFormat: Format { format ?? (output.lowercased().hasSuffix(".json") ? .json : .csv) }

    func run() throws {
        for path in [output] + (best.map { [$0] } ?? []) where !force && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; pass --force to replace it.")
        }
        let modelPath = try DefaultModel.resolve(model)
        let trained = try TrainedModel.read(from: modelPath)
        let scorer = try OfferScorer(model: trained, asOf: assessment.day, threads: .singleThreaded)
        let offers = try selectedOffers(scorer)
        let reader = try EnterpriseFileReader(path: input, options: reading.readerOptions(for: input))
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? nil
        let progress = Progress(total: size ?? 0, label: "rank", quiet: quiet || size == nil)
        var ranker = PoolRanker(offers: offers, top: top, reasonCount: reasons, language: lang.language)
        let bestWriter = try best.map { try BestOfferWriter(path: $0) }
        let format = bestWriter.map { BestOfferFormat(catalog: trained.catalog, scaling: trained.scaling, jsonLines: $0.jsonLines) }
        let pipeline = ChunkPipeline<ScoredChunkAt>(
            reader: reader, workers: runtime.policy.workers,
            transform: { chunk, first in
                // Scoring and the best-offer lines run on the workers; only the top lists are in order.
                let scored = scorer.score(chunk, firstRow: first)
                return ScoredChunkAt(scored: scored, first: first, bestLines: format?.lines(PoolRanker.bestOffers(scored, offers: offers)))
            },
            consume: { item in
                ranker.add(item.scored, scorer: scorer, firstSequence: item.first)
                if let lines = item.bestLines { try bestWriter?.write(lines) }
            })
        let started = Date()
        let interrupt = InterruptFlag.install()
        do {
            try pipeline.run(progress: { reader, rows in progress.update(bytes: reader.bytesRead, rows: rows) },
                             shouldStop: { interrupt.isSet })
        } catch is Interrupted {
            bestWriter?.discard()
            progress.finish()
            printToStandardError("finrec rank: interrupted after \(pipeline.rowsScanned) rows; nothing was written (\(output) is as it was)")
            throw ExitCode(130)
        } catch {
            bestWriter?.discard()
            throw error
        }
        progress.finish()
        guard ranker.rows > 0 else {
            bestWriter?.discard()
            throw InputFileError(path: reader.path, message: "has no enterprises to rank (only a header?); nothing was written")
        }
        let report = try reader.finish()
        let rankReport = RankReport(ranker: ranker, scorer: scorer, modelPath: modelPath, asOf: assessment.asOf)
        try AtomicFileWriter.write(Array(rankReport.render(resolvedFormat).utf8), to: output)
        try bestWriter?.commit()
        if !quiet {
            printToStandardError(rankReport.summary(report: report, seconds: Date().timeIntervalSince(started), output: output, best: best))
        }
    }

    /// The catalog indices of the offers to rank: those named by --product, else every offer
    /// the model has a product for.
    func selectedOffers(_ scorer: OfferScorer) throws -> [Int] {
        let catalog = scorer.catalog
        if product.isEmpty { return catalog.offers.indices.filter { scorer.productIndex[$0] != nil } }
        return try product.map { id in
            guard let k = catalog.offers.firstIndex(where: { $0.id == id }) else {
                throw ValidationError("--product \(id): no such offer; the catalog has " + catalog.offers.map(\.displayName).joined(separator: ", "))
            }
            guard scorer.productIndex[k] != nil else {
                throw ValidationError("--product \(id): the model has no weights for \(catalog.offers[k].displayName); retrain with its label column")
            }
            return k
        }
    }
}

/// A scored chunk, the input position of its first row, and its best-offer lines (with --best).
struct ScoredChunkAt: Sendable {
    let scored: ScoredChunk
    let first: Int
    let bestLines: [UInt8]?
}

/// Streams "best offer per enterprise" rows to a temporary file that replaces the target only on
/// commit.
final class BestOfferWriter {
    static let header = "enterprise_id,name,line,best_offer_id,best_offer_name_zh,status,probability,points,eligible_offers,unknown_offers\n"
    let writer: AtomicFileWriter
    /// JSON Lines for a `.jsonl` name, CSV otherwise.
    let jsonLines: Bool

    init(path: String) throws {
        writer = try AtomicFileWriter(path: path)
        jsonLines = path.lowercased().hasSuffix(".jsonl")
        if !jsonLines { try writer.write(Self.header) }
    }

    func write(_ bytes: [UInt8]) throws { try writer.write(bytes) }
    func commit() throws { try writer.commit() }
    func discard() { writer.discard() }
}

/// Formats best-offer rows as CSV lines or JSON Lines (on any thread).
struct BestOfferFormat: Sendable {
    let catalog: Catalog
    let scaling: ScoreScaling
    let jsonLines: Bool

    func lines(_ rows: [BestOffer]) -> [UInt8] {
        guard !jsonLines else { return json(rows) }
        var text = ""
        text.reserveCapacity(rows.count * 120)
        for b in rows {
            let offer = b.offer.map { catalog.offers[$0] }
            text += CSVField.escape(b.enterpriseID) + "," + CSVField.escape(b.name ?? "") + "," + String(b.line) + ","
            text += (offer?.id ?? "") + "," + (offer?.chineseName ?? "") + "," + (offer == nil ? "none" : ScoreReport.statusCode(b.status)) + ","
            if let logit = b.logit { text += "\(Sigmoid.probability(logit)),\(scaling.points(logit: logit))," } else { text += ",," }
            text += String(b.eligibleOffers) + "," + String(b.unknownOffers) + "\n"
        }
        return Array(text.utf8)
    }

    /// One object per line, with the same fields as the CSV.
    func json(_ rows: [BestOffer]) -> [UInt8] {
        var text = ""
        for b in rows {
            let offer = b.offer.map { catalog.offers[$0] }
            let object = JSONObject([
                ("enterprise_id", .string(b.enterpriseID)), ("name", b.name.map(JSONValue.string) ?? .null), ("line", .number(Double(b.line))),
                ("best_offer_id", offer.map { .string($0.id) } ?? .null), ("best_offer_name_zh", offer.map { .string($0.chineseName) } ?? .null),
                ("status", .string(offer == nil ? "none" : ScoreReport.statusCode(b.status))),
                ("probability", b.logit.map { .number(Sigmoid.probability($0)) } ?? .null),
                ("points", b.logit.map { .number(scaling.points(logit: $0)) } ?? .null),
                ("eligible_offers", .number(Double(b.eligibleOffers))), ("unknown_offers", .number(Double(b.unknownOffers))),
            ])
            text += JSONValue.object(object).compact() + "\n"
        }
        return Array(text.utf8)
    }
}

/// The top lists as CSV or JSON, and the end-of-run summary.
struct RankReport {
    let ranker: PoolRanker
    let scorer: OfferScorer
    let modelPath: String
    let asOf: String

    func render(_ format: Rank.Format) -> String { format == .json ? json() : csv() }

    func csv() -> String {
        var out = "offer_id,offer_name_zh,offer_name_en,kind,group,rank,enterprise_id,name,line,probability,points,reasons\n"
        for (i, k) in ranker.offers.enumerated() {
            let offer = scorer.catalog.offers[k]
            for (group, list) in [("eligible", ranker.eligible[i]), ("unknown", ranker.unknown[i])] {
                for (position, e) in list.sorted().enumerated() {
                    var fields: [String] = [offer.id, offer.chineseName, offer.englishName, offer.kind.rawValue, group]
                    fields += [String(position + 1), e.enterpriseID, e.name ?? "", String(e.line)]
                    fields += ["\(e.probability)", "\(e.points)", e.reasons.joined(separator: "; ")]
                    out += fields.map(CSVField.escape).joined(separator: ",") + "\n"
                }
            }
        }
        return out
    }

    func json() -> String {
        func list(_ entries: [RankedEnterprise]) -> JSONValue {
            .array(entries.enumerated().map { position, e in
                .object(JSONObject([("rank", .number(Double(position + 1))), ("enterprise_id", .string(e.enterpriseID)),
                                    ("name", e.name.map(JSONValue.string) ?? .null), ("line", .number(Double(e.line))),
                                    ("probability", .number(e.probability)), ("points", .number(e.points)), ("logit", .number(e.logit)),
                                    ("reasons", .array(e.reasons.map(JSONValue.string)))]))
            })
        }
        let offers: [JSONValue] = ranker.offers.enumerated().map { i, k in
            let offer = scorer.catalog.offers[k], s = ranker.summaries[i]
            return .object(JSONObject([
                ("id", .string(offer.id)), ("name_zh", .string(offer.chineseName)), ("name_en", .string(offer.englishName)),
                ("kind", .string(offer.kind.rawValue)),
                ("eligible_count", .number(Double(s.eligible))), ("unknown_count", .number(Double(s.unknown))),
                ("ineligible_count", .number(Double(s.ineligible))),
                ("probability_quantiles", .object(JSONObject([0.1, 0.5, 0.9].map { q in
                    ("p\(Int(q * 100))", s.probabilityQuantile(q).map(JSONValue.number) ?? .null)
                }))),
                ("eligible", list(ranker.eligible[i].sorted())), ("unknown", list(ranker.unknown[i].sorted())),
            ]))
        }
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-rank")), ("format_version", .number(1)), ("finrec_version", .string(FinRecVersion.current)),
            ("model", .string(modelPath)), ("as_of", .string(asOf)), ("top", .number(Double(ranker.top))),
            ("rows", .number(Double(ranker.rows))), ("offers", .array(offers)),
        ])).prettyPrinted()
    }

    func summary(report: ReadReport, seconds: Double, output: String, best: String?) -> String {
        let rate = seconds > 0 ? Double(ranker.rows) / seconds : 0
        var out = "ranked \(ranker.rows) enterprises in \(formatFixed(seconds, digits: 2)) s (\(Int(rate)) rows/s)"
        out += report.rowsRejected > 0 ? "; \(report.rowsRejected) rows rejected, see \(report.rejectsPath ?? "the rejects file")" : "; no row rejected"
        out += "\nwrote \(output)" + (best.map { " and \($0)" } ?? "") + "\n"
        let width = (ranker.offers.map { scorer.catalog.offers[$0].displayName.displayWidth }.max() ?? 0) + 2
        out += "offer".padded(to: width) + "eligible".padded(to: 10) + "unknown".padded(to: 10) + "ineligible".padded(to: 12) + "p10 / p50 / p90 probability of the eligible\n"
        for (i, k) in ranker.offers.enumerated() {
            let s = ranker.summaries[i]
            let q = [0.1, 0.5, 0.9].map { s.probabilityQuantile($0).map { formatFixed($0, digits: 3) } ?? "-" }.joined(separator: " / ")
            out += scorer.catalog.offers[k].displayName.padded(to: width) + String(s.eligible).padded(to: 10) + String(s.unknown).padded(to: 10)
                + String(s.ineligible).padded(to: 12) + q + "\n"
        }
        return out
    }
}
