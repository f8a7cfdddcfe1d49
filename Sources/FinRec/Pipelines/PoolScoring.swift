import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecReports
import FinRecExport
import FinRecSynthetic
/// Scores every enterprise of a file of any size and streams one line per enterprise and offer
/// (`finrec score --format rows` or `csv` on a pool): chunks are scored on several threads and
/// written in file order, so memory stays bounded by the chunk size.
package struct PoolScoring: Sendable {
    package enum Format: Sendable {
        /// The per-row contract shared with the exports (``ScoreRows``).
        case rows(reasons: Int, costing: Costing? = nil)
        /// The officer's CSV (``ScoreDocument/csv()``): every offer ranked, with gaps and paths.
        case csv(language: Language, reasons: Int, modelPath: String, asOf: String, costing: Costing? = nil, order: ApplicantAssessment.Order = .probability)
    }

    package let scorer: OfferScorer
    package let format: Format
    /// Threads that decode and score (one more splits records).
    package let workers: Int

    package init(scorer: OfferScorer, workers: Int = 1, format: Format) {
        self.scorer = scorer
        self.format = format
        self.workers = workers
    }

    /// The header line.
    package var header: String {
        switch format {
        case .rows(let reasons, _): ScoreRows.header(reasons: reasons)
        case .csv: ScoreDocument.csvHeader
        }
    }

    /// A chunk's lines as they were made: the rows' text, or the officer's CSV's bytes. Either is
    /// written as it is (a copy of one into the other's form would double the chunk in memory).
    enum Lines: Sendable {
        case text(String)
        case bytes([UInt8])

        func withBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            switch self {
            case .text(var text): try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
            case .bytes(let bytes): try bytes.withUnsafeBytes(body)
            }
        }
    }

    /// Writes the header, then every chunk's lines (UTF-8) in file order through `write`;
    /// returns the number of enterprises. Throws when the file has none.
    package func run(_ reader: EnterpriseFileReader, write: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try Lines.text(header).withBytes(write)
        let scorer = self.scorer, format = self.format
        var rows = 0
        let pipeline = ChunkPipeline<Lines>(
            reader: reader, workers: workers,
            transform: { chunk, first in
                let scored = scorer.score(chunk, firstRow: first)
                switch format {
                case .rows(let reasons, let costing):
                    return .text(ScoreRows.lines(scored, scorer: scorer, reasons: reasons, costing: costing))
                case .csv(let language, let reasons, let modelPath, let asOf, let costing, let order):
                    // The CSV shows the ranked offers only: no key figures, notes or supplements to make.
                    let results = ApplicantAssessment.assess(scored, with: scorer, language: language, costing: costing, order: order,
                                                             detail: .offers)
                    return .bytes(ScoreDocument(results: results, scorer: scorer, language: language, reasons: reasons, modelPath: modelPath, asOf: asOf)
                        .csvLineBytes())
                }
            },
            consume: { lines in
                try lines.withBytes(write)
            })
        try pipeline.run(progress: { _, scanned in rows = scanned })
        guard rows > 0 else { throw InputFileError(path: reader.path, message: "has no enterprises to score (only a header?); nothing was written") }
        return rows
    }
}

/// The per-row output (`finrec score --format rows`): one CSV line per enterprise and offer with
/// the columns the SQL export returns — enterprise_id, offer_id, offer_name_zh, kind, status
/// (pass, fail, unknown), held (1 when the enterprise already has the offer), logit,
/// probability, points — then reason1 … reasonN, the features that raise the points most (as
/// the PMML export's reason codes), then effective_rate (a loan or supply-chain offer that is open
/// or undecided: its annual rate after the subsidies the enterprise is entitled to) and benefit (a
/// policy the enterprise is entitled to or may be: its worth in 万元, empty when it cannot be put
/// in money). Logit, probability, points and reasons are empty where the rules fail or the offer
/// has no model; numbers are written exactly (shortest round trip). The exports give the columns
/// up to the reasons: costs and benefits depend on the LPR table, the request and other offers'
/// statuses, which `finrec score` reckons.
package enum ScoreRows {
    package static func header(reasons: Int) -> String {
        (["enterprise_id", "offer_id", "offer_name_zh", "kind", "status", "held", "logit", "probability", "points"]
            + (0..<reasons).map { "reason\($0 + 1)" } + ["effective_rate", "benefit"]).joined(separator: ",") + "\n"
    }

    /// - Parameter costing: the costs' rates (default: the scorer's, on the LPR table).
    package static func lines(_ scored: ScoredChunk, scorer: OfferScorer, reasons: Int, costing: Costing? = nil) -> String {
        let ids = scored.chunk.ids
        let offers = scorer.catalog.offers
        let names = offers.map { CSVField.escape($0.id) + "," + CSVField.escape($0.chineseName) + "," + $0.kind.id }
        let held = scorer.paths.heldRows(scored.eligibility)
        let costing = costing ?? scorer.costing, spreads = costing.spreads(scored.chunk)
        var out = ""
        for r in 0..<scored.rowCount {
            let id = CSVField.escape(ids[r])
            let costs = costing.assess(scored.chunk, row: r, spreads: spreads) { scored.status(offer: $0, row: r) }
            for (k, _) in offers.enumerated() {
                let status = scored.status(offer: k, row: r)
                out += "\(id),\(names[k]),\(status.code),\(held[k][r] ? 1 : 0),"
                if status != .fail, let logit = scored.logit(offer: k, row: r) {
                    out += "\(logit),\(Sigmoid.probability(logit)),\(scorer.model.scaling.points(logit: logit))"
                    let up = ReasonCode.up(scorer.reasonCodes(scored, offer: k, row: r), reasons)
                    for j in 0..<reasons { out += "," + (j < up.count ? CSVField.escape(up[j].feature) : "") }
                } else {
                    out += ",," + String(repeating: ",", count: reasons)
                }
                out += "," + (costs.costs[k].map { "\($0.effectiveRate)" } ?? "") + "," + (costs.benefits[k]?.amount.map { "\($0)" } ?? "")
                out += "\n"
            }
            // Room for the whole chunk once the first enterprise shows the size of a line: growing
            // by doubling copied every line twice on average, into freshly faulted pages (75% of
            // this command's page faults, 2 s of system time for 200,000 firms).
            if r == 0 { out.reserveCapacity(out.utf8.count * scored.rowCount * 5 / 4) }
        }
        return out
    }
}
