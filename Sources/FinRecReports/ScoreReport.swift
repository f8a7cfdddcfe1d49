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
    package var json: JSONValue { JSONValue.build { write(to: &$0) } }

    /// The document as compact JSON bytes (what ``json`` gives written by ``JSONValue/compact()``),
    /// written straight into one buffer, ending with a line feed.
    package func compactJSON() -> [UInt8] {
        var writer = CompactJSONWriter(capacity: 65_536)
        write(to: &writer)
        writer.newline()
        return writer.bytes
    }

    /// The contract, token by token: one description for the tree and the compact bytes.
    package func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("format"); b.string("finrec-score")
            b.key("format_version"); b.number(Double(formatVersion))
            b.key("finrec_version"); b.string(finrecVersion)
            b.key("model"); b.string(model)
            b.key("as_of"); b.string(asOf)
            b.key("language"); b.string(language)
            b.key("event"); b.string(event)
            b.key("scaling"); b.object { b in
                b.key("offset"); b.number(scaling.offset)
                b.key("factor"); b.number(scaling.factor)
            }
            b.key("model_data_origin"); b.text(modelDataOrigin)
            b.key("probability_note"); b.text(probabilityNote)
            b.key("enterprises"); b.array(enterprises) { b, e in e.write(to: &b) }
            if let inputEncoding { b.key("input_encoding"); b.string(inputEncoding) }
        }
    }

    /// What the page and the table say about an input that was not UTF-8 ("按 GB18030 读取 …").
    public var inputEncodingNote: String? { inputEncoding.flatMap(TextEncoding.init(rawValue:))?.readNote }
}

extension ScoreReport.Enterprise {
    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("enterprise_id"); b.string(enterpriseId)
            b.key("name"); b.text(name)
            b.key("line"); b.number(Double(line))
            b.key("key_figures"); b.array(keyFigures) { b, f in
                b.object { b in
                    b.key("name"); b.string(f.name)
                    b.key("label"); b.string(f.label)
                    b.key("value"); b.optional(f.value)
                    b.key("text"); b.string(f.text)
                }
            }
            b.key("range_notes"); b.array(rangeNotes) { b, n in
                b.object { b in
                    b.key("feature"); b.string(n.feature)
                    b.key("label"); b.string(n.label)
                    b.key("value"); b.number(n.value)
                    b.key("scored_as"); b.number(n.scoredAs)
                    b.key("above"); b.bool(n.above)
                    b.key("text"); b.string(n.text)
                }
            }
            b.key("supplements"); b.array(supplements) { b, x in
                b.object { b in
                    b.key("feature"); b.string(x.feature)
                    b.key("label"); b.string(x.label)
                    b.key("max_points"); b.number(x.maxPoints)
                    b.key("offer_id"); b.string(x.offerId)
                }
            }
            b.key("held"); b.strings(held)
            b.key("not_applicable"); b.array(notApplicable) { b, n in
                b.object { b in
                    b.key("id"); b.string(n.id)
                    b.key("name_zh"); b.string(n.nameZh)
                    b.key("reasons"); b.array(n.reasons) { b, r in r.write(to: &b) }
                }
            }
            b.key("offers"); b.array(offers) { b, o in o.write(to: &b) }
        }
    }
}

extension ScoreReport.Offer {
    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("rank"); b.number(Double(rank))
            b.key("id"); b.string(id)
            b.key("kind"); b.string(kind)
            b.key("name_zh"); b.string(nameZh)
            b.key("name_en"); b.string(nameEn)
            b.key("status"); b.string(status)
            b.key("probability"); b.optional(probability)
            b.key("points"); b.optional(points)
            b.key("logit"); b.optional(logit)
            b.key("base_points"); b.optional(basePoints)
            b.key("list"); b.string(list)
            b.key("probability_interval")
            if let probabilityInterval { b.array(probabilityInterval) { $0.number($1) } } else { b.null() }
            b.key("logit_standard_error"); b.optional(logitStandardError)
            b.key("successes"); b.count(successes)
            b.key("indicative"); b.bool(indicative)
            b.key("ranking_probability"); b.optional(rankingProbability)
            b.key("reasons"); b.array(reasons) { b, r in r.write(to: &b) }
            b.key("warnings"); b.array(warnings) { b, r in r.write(to: &b) }
            b.key("gap")
            if let gap { gap.write(to: &b) } else { b.null() }
            b.key("path")
            if let path { path.write(to: &b) } else { b.null() }
            b.key("reason_codes_up"); b.array(reasonCodesUp) { b, c in c.write(to: &b) }
            b.key("reason_codes_down"); b.array(reasonCodesDown) { b, c in c.write(to: &b) }
            b.key("terms")
            if let terms {
                b.object { b in
                    b.key("amount"); b.string(terms.amount)
                    b.key("term"); b.string(terms.term)
                    b.key("rate"); b.string(terms.rate)
                    b.key("source"); b.string(terms.source)
                }
            } else {
                b.null()
            }
            if let cost { b.key("cost"); cost.write(to: &b) }
            if kind == "policy" {
                b.key("benefit"); b.optional(benefit)
                b.key("benefit_note"); b.text(benefitNote)
            }
        }
    }
}

extension ScoreReport.Cost {
    func write<B: JSONBuilder>(to b: inout B) {
        func subsidies(_ list: [ScoreReport.Subsidy], _ b: inout B) {
            b.array(list) { b, x in
                b.object { b in
                    b.key("offer_id"); b.string(x.offerId)
                    b.key("name_zh"); b.string(x.nameZh)
                    b.key("sort"); b.string(x.sort)
                    b.key("amount"); b.number(x.amount)
                }
            }
        }
        b.object { b in
            b.key("rate"); b.number(rate)
            b.key("rate_low"); b.number(rateLow)
            b.key("rate_high"); b.number(rateHigh)
            b.key("effective_rate"); b.number(effectiveRate)
            b.key("lpr"); b.optional(lpr)
            b.key("lpr_tenor"); b.text(lprTenor)
            b.key("lpr_date"); b.string(lprDate)
            b.key("lpr_overridden"); b.bool(lprOverridden)
            b.key("amount"); b.number(amount)
            b.key("term_months"); b.number(termMonths)
            b.key("basis"); b.string(basis)
            b.key("interest_before_subsidy"); b.number(interestBeforeSubsidy)
            b.key("interest"); b.number(interest)
            b.key("guarantee_fee"); b.number(guaranteeFee)
            b.key("total"); b.number(total)
            b.key("subsidies"); subsidies(self.subsidies, &b)
            b.key("declined"); subsidies(declined, &b)
            b.key("possible"); b.strings(possible)
            b.key("assumption"); b.text(assumption)
            b.key("text"); b.string(text)
            b.key("notes"); b.strings(notes)
        }
    }
}

extension ScoreReport.Reason {
    /// A reason has every member; a warning no status, missing fields, unconfirmed or review; a
    /// not-applicable reason no status, missing fields or review.
    var json: JSONValue { JSONValue.build { write(to: &$0) } }

    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("condition"); b.string(condition)
            if let status { b.key("status"); b.string(status) }
            b.key("text"); b.string(text)
            if let missingFields { b.key("missing_fields"); b.strings(missingFields) }
            if let unconfirmed { b.key("unconfirmed"); b.bool(unconfirmed) }
            if let review { b.key("review"); b.bool(review) }
            b.key("source"); b.string(source)
        }
    }
}

extension ScoreReport.ReasonCode {
    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("feature"); b.string(feature)
            b.key("label"); b.string(label)
            b.key("value"); b.text(value)
            b.key("points"); b.number(points)
            b.key("logit"); b.number(logit)
            b.key("missing_note"); b.text(missingNote)
        }
    }
}

extension ScoreReport.Gap {
    /// `{"distance", "reachable", "next_accounts", "standards", "items"}`.
    package var json: JSONValue { JSONValue.build { write(to: &$0) } }

    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("distance")
            if reachable { b.optional(distance) } else { b.null() }
            b.key("reachable"); b.bool(reachable)
            b.key("next_accounts")
            if let a = nextAccounts {
                b.object { b in
                    b.key("fiscal_year"); b.count(a.fiscalYear)
                    b.key("distance"); b.number(a.distance)
                    b.key("text"); b.string(a.text)
                }
            } else {
                b.null()
            }
            b.key("standards"); b.strings(standards)
            b.key("items"); b.array(items) { b, item in item.write(to: &b) }
        }
    }
}

extension ScoreReport.Gap.Shortfall {
    package var json: JSONValue { JSONValue.build { write(to: &$0) } }

    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("condition"); b.string(condition)
            b.key("status"); b.string(status)
            b.key("value"); b.optional(value)
            b.key("threshold"); b.optional(threshold)
            b.key("shortfall"); b.optional(shortfall)
            b.key("cost"); b.optional(cost)
            b.key("text"); b.string(text)
            b.key("closes"); b.text(closes)
            b.key("missing_fields"); b.strings(missingFields)
        }
    }
}

extension ScoreReport.Path {
    /// `{"text", "steps": [{"id", "label", "done", "offer", "offer_status", "gap", "required_months", "months_left", "earliest", "text"}]}`.
    package var json: JSONValue { JSONValue.build { write(to: &$0) } }

    func write<B: JSONBuilder>(to b: inout B) {
        b.object { b in
            b.key("text"); b.string(text)
            b.key("steps"); b.array(steps) { b, s in
                b.object { b in
                    b.key("id"); b.string(s.id)
                    b.key("label"); b.string(s.label)
                    b.key("done"); b.string(s.done)
                    b.key("offer"); b.text(s.offer)
                    b.key("offer_status"); b.text(s.offerStatus)
                    b.key("gap")
                    if let gap = s.gap { gap.write(to: &b) } else { b.null() }
                    b.key("required_months"); b.count(s.requiredMonths)
                    b.key("months_left"); b.count(s.monthsLeft)
                    b.key("earliest"); b.text(s.earliest)
                    b.key("text"); b.string(s.text)
                }
            }
        }
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
