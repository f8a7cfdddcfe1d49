package import FinRecBase
package import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
package import FinRecInference
import FinRecEvaluation
/// A pool's top lists per offer (`finrec rank`) as CSV or JSON (`finrec-rank`, format version 1),
/// and the end-of-run summary.
public struct RankDocument {
    /// The rank table as CSV, the finrec-rank JSON, or an Excel workbook of the rank table.
    public enum Format: String, Sendable, CaseIterable { case csv, json, xlsx }

    /// The version of the JSON contract.
    public static let formatVersion = 1
    package let ranker: PoolRanker
    package let scorer: OfferScorer
    public let modelPath: String
    public let asOf: String
    /// The language of the reasons.
    package let language: Language

    package init(ranker: PoolRanker, scorer: OfferScorer, modelPath: String, asOf: String, language: Language = .zh) {
        self.ranker = ranker
        self.scorer = scorer
        self.modelPath = modelPath
        self.asOf = asOf
        self.language = language
    }

    /// An entry's reasons as shown: "近两年研发投入占比 +12.3" per reason code of an eligible
    /// enterprise; for an undecided one the missing fields' labels and the conditions left to a
    /// person ("…：需人工判断"). `k` is the entry's catalog offer.
    package func reasons(_ e: RankedEnterprise, offer k: Int) -> [String] {
        e.reasonCodes.map { "\($0.label(language)) +\(Fixed.format($0.points, digits: 1))" }
            + e.missingFields.map { scorer.evaluator.schema.fields[$0].label(language) }
            + e.reviewConditions.map { i in
                let c = scorer.evaluator.conditions[k][i].condition
                return (language == .zh ? c.chinese : c.english) + (language == .zh ? "：需人工判断" : ": for a person to judge")
            }
    }

    /// A near-miss's undecided part: the missing fields' labels and the conditions left to a person
    /// ("…：需人工判断"); empty for one that fails. `k` is its catalog offer.
    package func undecided(_ m: NearMiss, offer k: Int) -> [String] {
        m.missingFields.map { scorer.evaluator.schema.fields[$0].label(language) }
            + m.reviewConditions.map { i in
                let c = scorer.evaluator.conditions[k][i].condition
                return (language == .zh ? c.chinese : c.english) + (language == .zh ? "：需人工判断" : ": for a person to judge")
            }
    }

    /// The document in `format` (text as UTF-8).
    /// - Parameter byteOrderMark: CSV starts with a UTF-8 byte-order mark, so Excel shows Chinese right.
    package func bytes(_ format: Format, byteOrderMark: Bool = false) throws(FileWriteError) -> [UInt8] {
        switch format {
        case .csv: Array(((byteOrderMark ? CSVField.byteOrderMark : "") + csv()).utf8)
        case .json: Array(json().utf8)
        case .xlsx: try Workbooks.rank(self).bytes()
        }
    }

    /// The columns of the rank table (CSV and workbook), in order.
    public static let columns = ["offer_id", "offer_name_zh", "offer_name_en", "kind", "group", "rank", "enterprise_id", "name", "line",
                                 "probability", "points", "reasons", "city", "tier", "gap_distance", "nearest", "status", "missing_fields", "benefit"]

    /// A cell of the rank table: what the CSV shows, and for a number its value.
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double, shown: String)
        /// A probability (the workbook shows it as a percentage).
        case probability(Double, shown: String)

        /// The cell as the CSV writes it.
        public var shown: String {
            switch self {
            case .text(let text), .number(_, let text), .probability(_, let text): text
            }
        }
    }

    /// The rank table: per offer, its eligible, then undecided, then near-miss enterprises, one
    /// row each in ``columns`` order.
    public func table() -> [[Cell]] {
        var rows: [[Cell]] = []
        func count(_ n: Int) -> Cell { .number(Double(n), shown: String(n)) }
        for (i, k) in ranker.offers.enumerated() {
            let offer = scorer.catalog.offers[k]
            let head: [Cell] = [.text(offer.id), .text(offer.chineseName), .text(offer.englishName), .text(offer.kind.id)]
            for (group, list) in [("eligible", ranker.eligible[i]), ("unknown", ranker.unknown[i])] {
                for (position, e) in list.sorted().enumerated() {
                    rows.append(head + [
                        .text(group), count(position + 1), .text(e.enterpriseID), .text(e.name ?? ""), count(e.line),
                        e.probability.map { .probability($0, shown: "\($0)") } ?? .text(""), e.points.map { .number($0, shown: "\($0)") } ?? .text(""),
                        .text(reasons(e, offer: k).joined(separator: "; ")), .text(e.city ?? ""), .text(e.tier ?? ""), .text(""), .text(""),
                        .text(group == "eligible" ? Truth.pass.code : Truth.unknown.code),
                        .text(e.missingFields.map { scorer.evaluator.schema.fields[$0].label(language) }.joined(separator: "; ")),
                        e.benefit.map { .number($0, shown: "\($0)") } ?? .text(""),
                    ])
                }
            }
            // Near-misses: the offer's probability as the model gives it (the order among equal gaps),
            // no points (the offer is not open to them); their shortfalls as reasons; an undecided
            // one's missing fields. The gap as shown, to 4 decimals.
            for (position, m) in ranker.topNearMisses(i).enumerated() {
                let distance = Fixed.exact(m.gap.distance, digits: 4)
                rows.append(head + [
                    .text("near_miss"), count(position + 1), .text(m.enterpriseID), .text(m.name ?? ""), count(m.line),
                    m.probability.map { .probability($0, shown: "\($0)") } ?? .text(""), .text(""),
                    .text(m.gap.items.map(\.text).joined(separator: "; ")), .text(m.city ?? ""), .text(m.tier ?? ""),
                    Double(distance).map { .number($0, shown: distance) } ?? .text(distance),
                    .text(m.gap.standards.joined(separator: " · ")), .text(m.status.code),
                    .text(m.missingFields.map { scorer.evaluator.schema.fields[$0].label(language) }.joined(separator: "; ")),
                    .text(""),
                ])
            }
        }
        return rows
    }

    public func csv() -> String {
        var out = Self.columns.joined(separator: ",") + "\n"
        for row in table() { out += row.map { CSVField.escape($0.shown) }.joined(separator: ",") + "\n" }
        return out
    }

    public func json() -> String {
        func list(_ entries: [RankedEnterprise], offer k: Int) -> JSONValue {
            .array(entries.enumerated().map { position, e in
                .object(JSONObject([("rank", .number(Double(position + 1))), ("enterprise_id", .string(e.enterpriseID)),
                                    ("name", e.name.map(JSONValue.string) ?? .null), ("line", .number(Double(e.line))),
                                    ("probability", .optional(e.probability)), ("points", .optional(e.points)), ("logit", .optional(e.logit)),
                                    ("benefit", .optional(e.benefit)),
                                    ("reasons", .array(reasons(e, offer: k).map(JSONValue.string))),
                                    ("city", e.city.map(JSONValue.string) ?? .null), ("tier", e.tier.map(JSONValue.string) ?? .null)]))
            })
        }
        func nearMisses(_ i: Int, offer k: Int) -> JSONValue {
            .array(ranker.topNearMisses(i).enumerated().map { position, m in
                .object(JSONObject([("rank", .number(Double(position + 1))), ("enterprise_id", .string(m.enterpriseID)),
                                    ("name", m.name.map(JSONValue.string) ?? .null), ("line", .number(Double(m.line))),
                                    ("city", m.city.map(JSONValue.string) ?? .null), ("tier", m.tier.map(JSONValue.string) ?? .null),
                                    ("status", .string(m.status.code)),
                                    ("missing_fields", .array(m.missingFields.map { .string(scorer.evaluator.schema.fields[$0].name) })),
                                    ("undecided", .array(undecided(m, offer: k).map(JSONValue.string))),
                                    ("probability", m.probability.map(JSONValue.number) ?? .null), ("gap_distance", .number(m.gap.distance)),
                                    ("nearest", .array(m.gap.standards.map(JSONValue.string))),
                                    ("shortfalls", .array(m.gap.items.map(\.json)))]))
            })
        }
        let offers: [JSONValue] = ranker.offers.enumerated().map { i, k in
            let offer = scorer.catalog.offers[k], s = ranker.summaries[i]
            return .object(JSONObject([
                ("id", .string(offer.id)), ("name_zh", .string(offer.chineseName)), ("name_en", .string(offer.englishName)),
                ("kind", .string(offer.kind.id)),
                ("eligible_count", .number(Double(s.eligible))), ("unknown_count", .number(Double(s.unknown))),
                ("ineligible_count", .number(Double(s.ineligible))),
                ("probability_quantiles", .object(JSONObject([0.1, 0.5, 0.9].map { q in
                    ("p\(Int(q * 100))", s.probabilityQuantile(q).map(JSONValue.number) ?? .null)
                }))),
                ("eligible", list(ranker.eligible[i].sorted(), offer: k)), ("unknown", list(ranker.unknown[i].sorted(), offer: k)),
                ("near_miss", nearMisses(i, offer: k)),
            ]))
        }
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-rank")), ("format_version", .number(Double(Self.formatVersion))), ("finrec_version", .string(FinRecVersion.current)),
            ("model", .string(modelPath)), ("as_of", .string(asOf)), ("top", .number(Double(ranker.top))),
            ("rows", .number(Double(ranker.rows))), ("offers", .array(offers)),
        ])).prettyPrinted()
    }

    /// What the run did, for the terminal: rows, rejects, files written, per offer the counts and
    /// probability quantiles.
    package func summary(report: ReadReport, seconds: Double, output: String, best: String?) -> String {
        let rate = seconds > 0 ? Double(ranker.rows) / seconds : 0
        var out = "ranked \(ranker.rows) enterprises in \(Fixed.exact(seconds, digits: 2)) s (\(Int(rate)) rows/s)"
        if ranker.filteredOut > 0 { out += "; \(ranker.filteredOut) left out by --where" }
        out += report.rowsRejected > 0 ? "; \(report.rowsRejected) rows rejected, see \(report.rejectsPath ?? "the rejects file")" : "; no row rejected"
        out += "\nwrote \(output)" + (best.map { " and \($0)" } ?? "") + "\n"
        let width = (ranker.offers.map { scorer.catalog.offers[$0].displayName.displayWidth }.max() ?? 0) + 2
        out += "offer".padded(to: width) + "eligible".padded(to: 10) + "unknown".padded(to: 10) + "ineligible".padded(to: 12) + "p10 / p50 / p90 probability of the eligible\n"
        for (i, k) in ranker.offers.enumerated() {
            let s = ranker.summaries[i]
            let q = [0.1, 0.5, 0.9].map { s.probabilityQuantile($0).map { Fixed.exact($0, digits: 3) } ?? "-" }.joined(separator: " / ")
            out += scorer.catalog.offers[k].displayName.padded(to: width) + String(s.eligible).padded(to: 10) + String(s.unknown).padded(to: 10)
                + String(s.ineligible).padded(to: 12) + q + "\n"
        }
        return out
    }
}
