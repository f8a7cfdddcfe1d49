public import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
public import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FoundationEssentials

/// The finrec-score document as typed values: what `finrec score --format json` prints, what
/// `POST /v1/score` answers, what the audit log stores, and what the workbook and the officer's
/// page render. ``ScoreDocument`` builds it from the assessments (every text already in the
/// document's language); ``json`` writes it (the contract, format version
/// ``ScoreDocument/formatVersion``; fields are only ever added); ``init(json:)`` reads a stored
/// decision back, so a renderer never looks values up by key in text.
public struct ScoreReport: Sendable, Equatable, Decodable {
    public var formatVersion: Int
    public var finrecVersion: String
    /// The model file, as named to the user.
    public var model: String
    /// The assessment date, YYYY-MM-DD.
    public var asOf: String
    /// `zh` or `en`: the language of every text in the document.
    public var language: String
    /// What the label's 1 means for the applicant: `favourable` or `adverse`.
    public var event: String
    public var scaling: Scaling
    public var modelDataOrigin: String?
    public var probabilityNote: String?
    public var enterprises: [Enterprise]
    /// The encoding the input was read in when it was not UTF-8 (`GB18030`, `UTF-16LE`,
    /// `UTF-16BE`); absent for UTF-8.
    public var inputEncoding: String? = nil

    public struct Scaling: Sendable, Equatable, Decodable {
        public var offset: Double
        public var factor: Double
    }

    public struct Enterprise: Sendable, Equatable, Decodable {
        public var enterpriseId: String
        public var name: String?
        /// The record's line (CSV) or position (JSON) in the input.
        public var line: Int
        public var keyFigures: [KeyFigure]
        public var rangeNotes: [RangeNote]
        public var supplements: [Supplement]
        /// Ids of the offers the enterprise already holds.
        public var held: [String]
        public var notApplicable: [NotApplicable]
        public var offers: [Offer]
    }

    public struct KeyFigure: Sendable, Equatable, Decodable {
        public var name: String
        public var label: String
        public var value: Double?
        public var text: String
    }

    /// A value beyond the training range and what it was scored as.
    public struct RangeNote: Sendable, Equatable, Decodable {
        public var feature: String
        public var label: String
        public var value: Double
        public var scoredAs: Double
        public var above: Bool
        public var text: String
    }

    /// A missing feature worth supplying (补充资料).
    public struct Supplement: Sendable, Equatable, Decodable {
        public var feature: String
        public var label: String
        public var maxPoints: Double
        public var offerId: String
    }

    /// An offer whose rules do not apply to the enterprise (不适用), with the rules that say so.
    public struct NotApplicable: Sendable, Equatable, Decodable {
        public var id: String
        public var nameZh: String
        public var reasons: [Reason]
    }

    public struct Offer: Sendable, Equatable, Decodable {
        /// 1-based position in its list.
        public var rank: Int
        public var id: String
        public var kind: String
        public var nameZh: String
        public var nameEn: String
        /// `pass`, `fail` or `unknown`.
        public var status: String
        public var probability: Double?
        public var points: Double?
        public var logit: Double?
        public var basePoints: Double?
        /// The list the offer is ranked in (the catalog kind's list, e.g. `loans`).
        public var list: String
        public var probabilityInterval: [Double]?
        public var logitStandardError: Double?
        public var successes: Int?
        public var indicative: Bool
        public var rankingProbability: Double?
        public var reasons: [Reason]
        public var warnings: [Reason]
        public var gap: Gap?
        public var path: Path?
        public var reasonCodesUp: [ReasonCode]
        public var reasonCodesDown: [ReasonCode]
        public var terms: Terms?
        /// What a priced offer that is open or undecided costs after subsidies (nil otherwise,
        /// and in documents written before costs).
        public var cost: Cost?
        /// A policy's worth to the enterprise in 万元; nil with `benefitNote` saying why when it
        /// cannot be put in money (a future loan, a cover of the bank's losses), and for other kinds.
        public var benefit: Double?
        /// How the benefit was reckoned, or why there is none.
        public var benefitNote: String?
    }

    /// A loan's cost over its term on the amount and term it was costed at, rates as annual
    /// fractions, money in 万元.
    public struct Cost: Sendable, Equatable, Decodable {
        /// The annual rate before subsidies (LPR + spread, or a fixed rate), and its published range.
        public var rate: Double
        public var rateLow: Double
        public var rateHigh: Double
        /// The rate after the interest subsidy.
        public var effectiveRate: Double
        /// The LPR the rate floats on (nil for a fixed rate), its tenor (`one_year`, `five_year`) and effective date.
        public var lpr: Double?
        public var lprTenor: String?
        public var lprDate: String
        /// Whether `--lpr` replaced the table's rate.
        public var lprOverridden: Bool
        public var amount: Double
        public var termMonths: Double
        /// `requested`, `partly_requested` or `typical`: where amount and term come from.
        public var basis: String
        public var interestBeforeSubsidy: Double
        /// Interest over the term after the interest subsidy.
        public var interest: Double
        public var guaranteeFee: Double
        /// Interest and guarantee fee after every subsidy.
        public var total: Double
        public var subsidies: [Subsidy]
        /// Subsidies the enterprise is entitled to that do not stack with the chosen ones.
        public var declined: [Subsidy]
        /// Policies on this loan still undecided for the enterprise (not counted).
        public var possible: [String]
        /// The price's basis when it is an assumption (not published for the product).
        public var assumption: String?
        /// The summary line, e.g. "专精特新贷 2.80% − 鲁科贷贴息 40%（上限 50万元/年）→ 1.68%，500万元 12个月 利息 8.40万元".
        public var text: String
        /// What else the officer should know: the basis, a capped term, subsidies not stacked.
        public var notes: [String]
    }

    /// A subsidy on a loan: the policy's offer id and name and what it pays over the term (万元).
    public struct Subsidy: Sendable, Equatable, Decodable {
        public var offerId: String
        public var nameZh: String
        /// `interest` or `fee`.
        public var sort: String
        public var amount: Double
    }

    /// A condition that fails or is undecided (a reason), holds a warning, or rules an offer out
    /// (not applicable). Warnings carry no status; not-applicable reasons no missing fields.
    public struct Reason: Sendable, Equatable, Decodable {
        public var condition: String
        public var status: String?
        public var text: String
        public var missingFields: [String]?
        public var unconfirmed: Bool?
        public var review: Bool?
        public var source: String
    }

    public struct ReasonCode: Sendable, Equatable, Decodable {
        public var feature: String
        public var label: String
        /// The feature's value as shown; nil when the feature is derived from several fields.
        public var value: String?
        public var points: Double
        public var logit: Double
        /// For a missing value: how it is scored until supplied.
        public var missingNote: String?

        /// "发明专利数（对数）（21）+42.7", with a missing value's note: "近24个月逾期次数（缺失）−48.7（缺失按…）".
        public var text: String {
            "\(label)（\(value ?? "—")）\(Fixed.signed(points, digits: 1))" + (missingNote.map { "（\($0)）" } ?? "")
        }
    }

    /// The nearest way to pass an offer the enterprise misses.
    public struct Gap: Sendable, Equatable, Decodable {
        /// Nil when no way is open (the rules that apply, or conditions that cannot change).
        public var distance: Double?
        public var reachable: Bool
        public var nextAccounts: NextAccounts?
        /// The standards of the nearest way, e.g. "北交所标准一".
        public var standards: [String]
        public var items: [Shortfall]

        /// Out of reach with the current accounts, open with the next annual ones.
        public struct NextAccounts: Sendable, Equatable, Decodable {
            public var fiscalYear: Int?
            public var distance: Double
            public var text: String
        }

        public struct Shortfall: Sendable, Equatable, Decodable {
            public var condition: String
            public var status: String
            public var value: Double?
            public var threshold: Double?
            public var shortfall: Double?
            public var cost: Double?
            public var text: String
            /// How the shortfall can close: `now`, `accounts` or `never` (a fixed condition).
            public var closes: String?
            public var missingFields: [String]
        }
    }

    /// The steps before an offer (股改, quotation, months quoted, a lower tier) and where the
    /// enterprise stands on each.
    public struct Path: Sendable, Equatable, Decodable {
        public var text: String
        public var steps: [Step]

        public struct Step: Sendable, Equatable, Decodable {
            public var id: String
            public var label: String
            /// `pass` when done, else `fail` or `unknown`.
            public var done: String
            public var offer: String?
            public var offerStatus: String?
            public var gap: Gap?
            public var requiredMonths: Int?
            public var monthsLeft: Int?
            public var earliest: String?
            public var text: String
        }
    }

    /// A product's terms as the catalog states them, in the document's language.
    public struct Terms: Sendable, Equatable, Decodable {
        public var amount: String
        public var term: String
        public var rate: String
        public var source: String
    }
}

/// A stored text that is not a finrec-score document.
public struct ScoreReportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension ScoreReport {
    /// Reads a finrec-score document (e.g. a decision the audit log stored).
    /// - Throws: ``ScoreReportError`` when `json` is not a finrec-score document.
    public init(json: [UInt8]) throws(ScoreReportError) {
        struct Head: Decodable { let format: String }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let head = try decoder.decode(Head.self, from: Data(json))
            guard head.format == "finrec-score" else { throw ScoreReportError(message: "a \(head.format) document, not finrec-score") }
            self = try decoder.decode(ScoreReport.self, from: Data(json))
        } catch let error as ScoreReportError {
            throw error
        } catch {
            throw ScoreReportError(message: "not a finrec-score document: \(error)")
        }
    }
}

// MARK: - Writing the contract

extension ScoreReport {
    /// The document as the contract writes it (key order and nulls as they always were).
    package var json: JSONValue {
        .object(JSONObject([
            ("format", .string("finrec-score")), ("format_version", .number(Double(formatVersion))), ("finrec_version", .string(finrecVersion)),
            ("model", .string(model)), ("as_of", .string(asOf)), ("language", .string(language)), ("event", .string(event)),
            ("scaling", .object(JSONObject([("offset", .number(scaling.offset)), ("factor", .number(scaling.factor))]))),
            ("model_data_origin", Self.text(modelDataOrigin)), ("probability_note", Self.text(probabilityNote)),
            ("enterprises", .array(enterprises.map(\.json))),
        ] + (inputEncoding.map { [("input_encoding", JSONValue.string($0))] } ?? [])))
    }

    /// What the page and the table say about an input that was not UTF-8 ("按 GB18030 读取 …").
    public var inputEncodingNote: String? { inputEncoding.flatMap(TextEncoding.init(rawValue:))?.readNote }

    static func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    static func count(_ n: Int?) -> JSONValue { n.map { .number(Double($0)) } ?? .null }
    static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
}

extension ScoreReport.Enterprise {
    var json: JSONValue {
        .object(JSONObject([
            ("enterprise_id", .string(enterpriseId)), ("name", ScoreReport.text(name)), ("line", .number(Double(line))),
            ("key_figures", .array(keyFigures.map { f in
                .object(JSONObject([("name", .string(f.name)), ("label", .string(f.label)), ("value", .optional(f.value)), ("text", .string(f.text))]))
            })),
            ("range_notes", .array(rangeNotes.map { n in
                .object(JSONObject([("feature", .string(n.feature)), ("label", .string(n.label)), ("value", .number(n.value)),
                                    ("scored_as", .number(n.scoredAs)), ("above", .bool(n.above)), ("text", .string(n.text))]))
            })),
            ("supplements", .array(supplements.map { x in
                .object(JSONObject([("feature", .string(x.feature)), ("label", .string(x.label)), ("max_points", .number(x.maxPoints)),
                                    ("offer_id", .string(x.offerId))]))
            })),
            ("held", ScoreReport.strings(held)),
            ("not_applicable", .array(notApplicable.map { n in
                .object(JSONObject([("id", .string(n.id)), ("name_zh", .string(n.nameZh)), ("reasons", .array(n.reasons.map(\.json)))]))
            })),
            ("offers", .array(offers.map(\.json))),
        ]))
    }
}

extension ScoreReport.Offer {
    var json: JSONValue {
        var object = JSONObject([
            ("rank", .number(Double(rank))), ("id", .string(id)), ("kind", .string(kind)),
            ("name_zh", .string(nameZh)), ("name_en", .string(nameEn)),
            ("status", .string(status)), ("probability", .optional(probability)),
            ("points", .optional(points)), ("logit", .optional(logit)), ("base_points", .optional(basePoints)),
            ("list", .string(list)),
            ("probability_interval", probabilityInterval.map { .array($0.map(JSONValue.number)) } ?? .null),
            ("logit_standard_error", .optional(logitStandardError)), ("successes", ScoreReport.count(successes)),
            ("indicative", .bool(indicative)), ("ranking_probability", .optional(rankingProbability)),
        ])
        object["reasons"] = .array(reasons.map(\.json))
        object["warnings"] = .array(warnings.map(\.json))
        object["gap"] = gap?.json ?? .null
        object["path"] = path?.json ?? .null
        object["reason_codes_up"] = .array(reasonCodesUp.map(\.json))
        object["reason_codes_down"] = .array(reasonCodesDown.map(\.json))
        object["terms"] = terms.map { t in
            .object(JSONObject([("amount", .string(t.amount)), ("term", .string(t.term)), ("rate", .string(t.rate)), ("source", .string(t.source))]))
        } ?? .null
        if let cost { object["cost"] = cost.json }
        if kind == "policy" {
            object["benefit"] = .optional(benefit)
            object["benefit_note"] = ScoreReport.text(benefitNote)
        }
        return .object(object)
    }
}

extension ScoreReport.Cost {
    var json: JSONValue {
        func subsidies(_ list: [ScoreReport.Subsidy]) -> JSONValue {
            .array(list.map { x in
                .object(JSONObject([("offer_id", .string(x.offerId)), ("name_zh", .string(x.nameZh)), ("sort", .string(x.sort)), ("amount", .number(x.amount))]))
            })
        }
        return .object(JSONObject([
            ("rate", .number(rate)), ("rate_low", .number(rateLow)), ("rate_high", .number(rateHigh)), ("effective_rate", .number(effectiveRate)),
            ("lpr", .optional(lpr)), ("lpr_tenor", ScoreReport.text(lprTenor)), ("lpr_date", .string(lprDate)), ("lpr_overridden", .bool(lprOverridden)),
            ("amount", .number(amount)), ("term_months", .number(termMonths)), ("basis", .string(basis)),
            ("interest_before_subsidy", .number(interestBeforeSubsidy)), ("interest", .number(interest)),
            ("guarantee_fee", .number(guaranteeFee)), ("total", .number(total)),
            ("subsidies", subsidies(self.subsidies)), ("declined", subsidies(declined)), ("possible", ScoreReport.strings(possible)),
            ("assumption", ScoreReport.text(assumption)), ("text", .string(text)), ("notes", ScoreReport.strings(notes)),
        ]))
    }
}

extension ScoreReport.Reason {
    /// A reason has every member; a warning no status, missing fields, unconfirmed or review; a
    /// not-applicable reason no status, missing fields or review.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("condition", .string(condition))]
        if let status { members.append(("status", .string(status))) }
        members.append(("text", .string(text)))
        if let missingFields { members.append(("missing_fields", ScoreReport.strings(missingFields))) }
        if let unconfirmed { members.append(("unconfirmed", .bool(unconfirmed))) }
        if let review { members.append(("review", .bool(review))) }
        members.append(("source", .string(source)))
        return .object(JSONObject(members))
    }
}

extension ScoreReport.ReasonCode {
    var json: JSONValue {
        .object(JSONObject([("feature", .string(feature)), ("label", .string(label)), ("value", ScoreReport.text(value)),
                            ("points", .number(points)), ("logit", .number(logit)), ("missing_note", ScoreReport.text(missingNote))]))
    }
}

extension ScoreReport.Gap {
    /// `{"distance", "reachable", "next_accounts", "standards", "items"}`.
    package var json: JSONValue {
        .object(JSONObject([("distance", reachable ? .optional(distance) : .null), ("reachable", .bool(reachable)),
                            ("next_accounts", nextAccounts.map { a in
                                .object(JSONObject([("fiscal_year", ScoreReport.count(a.fiscalYear)), ("distance", .number(a.distance)),
                                                    ("text", .string(a.text))]))
                            } ?? .null),
                            ("standards", ScoreReport.strings(standards)),
                            ("items", .array(items.map(\.json)))]))
    }
}

extension ScoreReport.Gap.Shortfall {
    package var json: JSONValue {
        .object(JSONObject([("condition", .string(condition)), ("status", .string(status)),
                            ("value", .optional(value)), ("threshold", .optional(threshold)),
                            ("shortfall", .optional(shortfall)), ("cost", .optional(cost)), ("text", .string(text)),
                            ("closes", ScoreReport.text(closes)), ("missing_fields", ScoreReport.strings(missingFields))]))
    }
}

extension ScoreReport.Path {
    /// `{"text", "steps": [{"id", "label", "done", "offer", "offer_status", "gap", "required_months", "months_left", "earliest", "text"}]}`.
    package var json: JSONValue {
        .object(JSONObject([
            ("text", .string(text)),
            ("steps", .array(steps.map { s in
                .object(JSONObject([
                    ("id", .string(s.id)), ("label", .string(s.label)), ("done", .string(s.done)),
                    ("offer", ScoreReport.text(s.offer)), ("offer_status", ScoreReport.text(s.offerStatus)),
                    ("gap", s.gap?.json ?? .null), ("required_months", ScoreReport.count(s.requiredMonths)),
                    ("months_left", ScoreReport.count(s.monthsLeft)), ("earliest", ScoreReport.text(s.earliest)),
                    ("text", .string(s.text)),
                ]))
            })),
        ]))
    }
}

// MARK: - From the assessments

extension ScoreReport.Gap {
    /// The typed form of an eligibility gap.
    package init(_ gap: EligibilityGap) {
        self.init(distance: gap.reachable && gap.distance.isFinite ? gap.distance : nil, reachable: gap.reachable,
                  nextAccounts: gap.nextAccounts.map { NextAccounts(fiscalYear: $0.fiscalYear, distance: $0.distance, text: $0.text) },
                  standards: gap.standards, items: gap.items.map(Shortfall.init))
    }
}

extension ScoreReport.Gap.Shortfall {
    package init(_ item: EligibilityGap.Item) {
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        self.init(condition: item.conditionID, status: item.status.code, value: finite(item.value), threshold: finite(item.threshold),
                  shortfall: finite(item.shortfall), cost: finite(item.cost), text: item.text, closes: item.closes?.rawValue,
                  missingFields: item.missingFields)
    }
}

extension ScoreReport.Path {
    package init(_ path: OfferPath) {
        self.init(text: path.text, steps: path.steps.map { s in
            Step(id: s.id, label: s.label, done: s.done.code, offer: s.offer, offerStatus: s.offerStatus?.code, gap: s.gap.map(ScoreReport.Gap.init),
                 requiredMonths: s.requiredMonths, monthsLeft: s.monthsLeft, earliest: s.earliest, text: s.text)
        })
    }
}
