public import FinRecBase
import FinRecRecords
import FinRecLinear
public import FinRecFeatures
public import FinRecCatalog
import FinRecModel
/// Everything a bank officer sees for one applicant: the enterprise and the figures the decision
/// rests on, then every offer of the catalog ranked — eligible offers by suitability, then the
/// undecided ones with the fields that would decide them, then the ineligible ones with the rule
/// that blocks them.
public struct ApplicantAssessment: Sendable {
    /// How the offers of a list are ordered within each status: by the model's probability (the
    /// applicant's best first), or priced offers by their cost after subsidies (a year per unit borrowed, fees included), cheapest first.
    public enum Order: String, Sendable, CaseIterable { case probability, cost }

    public struct KeyFigure: Sendable, Equatable {
        /// Schema field or catalog definition name.
        public let name: String
        public let label: String
        /// The number, nil when missing or not a number (categories, dates and text are in `text`).
        public let value: Double?
        public let text: String
    }

    /// One offer as this applicant stands on it: a class, as the documents built from an
    /// assessment pass its offers around (a struct of twenty fields was copied at every step).
    public final class Offer: Sendable {
        public let offer: Catalog.Offer
        /// The list the offer is ranked in (its kind's: loans and listing paths are different events
        /// with different base rates, each ranked in its own list).
        public var list: Catalog.OfferList { offer.kind.list }
        /// 1-based position in its list.
        public let rank: Int
        public let status: Truth
        /// Suitability probability, logit and scorecard points; nil for ineligible offers and for
        /// offers the model has no product for.
        public let probability: Double?
        public let logit: Double?
        public let points: Double?
        /// Why the offer fails or is undecided; empty when it passes.
        public let reasons: [EligibilityReason]
        /// For an offer that fails or is undecided: the nearest way to pass (closest standard and
        /// each shortfall); nil when it passes.
        package let gap: EligibilityGap?
        /// Warnings on an offer that is open or undecided (a certificate expiring within the term).
        public let warnings: [EligibilityReason]
        /// For an offer with steps before it (a board, a higher tier) that does not pass: where
        /// the enterprise stands on them.
        package let path: OfferPath?
        /// Every feature's contribution, largest push up first; empty when `probability` is nil.
        public let reasonCodes: [ReasonCode]
        /// The intercept's share of the points (offset + factor × intercept): with `reasonCodes`
        /// it sums to `points`.
        public let basePoints: Double?
        /// The logit's standard error and the probability's 95% interval (Laplace), nil when
        /// `probability` is nil or the model carries no uncertainty.
        public let standardError: Double?
        public let interval: ClosedRange<Double>?
        /// Successes the offer's model learnt from; below ``OfferScorer/minimumSuccesses`` the
        /// probability is indicative (参考).
        public let successes: Int?
        public var indicative: Bool { successes.map(OfferScorer.isIndicative(successes:)) ?? false }
        /// The probability the offer is ranked by: the model's for well-supported offers, the
        /// moderated (shrunk) one for indicative offers.
        public let rankingProbability: Double?
        /// What a priced offer (a loan, supply-chain finance) that is open or undecided costs,
        /// after the subsidies the enterprise is entitled to.
        package let cost: LoanCost?
        /// What a policy the enterprise is not ruled out of is worth to it.
        package let benefit: PolicyBenefit?

        init(offer: Catalog.Offer, rank: Int, status: Truth, probability: Double?, logit: Double?, points: Double?,
             reasons: [EligibilityReason], gap: EligibilityGap?, warnings: [EligibilityReason], path: OfferPath?,
             reasonCodes: [ReasonCode], basePoints: Double?, standardError: Double?, interval: ClosedRange<Double>?,
             successes: Int?, rankingProbability: Double?, cost: LoanCost?, benefit: PolicyBenefit?) {
            self.offer = offer
            self.rank = rank
            self.status = status
            self.probability = probability
            self.logit = logit
            self.points = points
            self.reasons = reasons
            self.gap = gap
            self.warnings = warnings
            self.path = path
            self.reasonCodes = reasonCodes
            self.basePoints = basePoints
            self.standardError = standardError
            self.interval = interval
            self.successes = successes
            self.rankingProbability = rankingProbability
            self.cost = cost
            self.benefit = benefit
        }

        /// The `count` features that raise the score most (positive contributions only).
        public func topUp(_ count: Int) -> [ReasonCode] { ReasonCode.up(reasonCodes, count) }
        /// The `count` features that lower the score most (negative contributions only).
        public func topDown(_ count: Int) -> [ReasonCode] { Array(reasonCodes.reversed().prefix(count).filter { $0.logit < 0 }) }
    }

    /// A missing feature worth supplying (补充资料): the most an offer's points could rise if the
    /// value were given (from the missing value's contribution to the best one in range).
    package struct Supplement: Sendable, Equatable {
        /// Spec feature index and name.
        package let feature: Int
        public let name: String
        public let label: String
        /// Scorecard points, and the id of the offer where the gain is largest.
        package let maximumPoints: Double
        public let offer: String
    }

    public let enterpriseID: String
    public let name: String?
    /// Line of the input the applicant came from (1 for a single JSON object).
    public let line: Int
    public let keyFigures: [KeyFigure]
    /// Per spec feature, the applicant's value (same order as the spec, as ``ReasonCode/order``
    /// indexes it), for reason-code display.
    package let featureValues: [FeatureValue]
    public let offers: [Offer]
    /// Offers the enterprise already holds, tiers and quotations (not in `offers`).
    package let held: [Catalog.Offer]
    /// Offers that do not concern the enterprise (not in `offers`): a bridge loan with no loan
    /// falling due, a board for a listed firm, a renewal before it is due; each with why.
    package let notApplicable: [NotApplicable]

    package struct NotApplicable: Sendable {
        public let offer: Catalog.Offer
        /// The `applies` conditions that fail, with the values they read.
        public let reasons: [EligibilityReason]
    }
    /// Missing features that matter, largest possible gain first.
    package let supplements: [Supplement]
    /// Values beyond the training range, scored as the range's end.
    package let rangeNotes: [FittedFeatures.RangeNote]

    /// The schema fields shown before the catalog's derived figures.
    static let keyFields = ["certification_tier", "certification_valid_until", "city", "industry_code", "founding_year",
                            "revenue_y1", "net_profit_y1", "employees", "invention_patents", "neeq_status"]

    /// How much of an assessment to make: everything (the document, the page, the workbook), or
    /// the ranked offers only (`score --format csv`, one line per offer: no key figures, range
    /// notes, supplements or offers that do not apply, which it does not show).
    package enum Detail: Sendable { case full, offers }

    /// Assesses every row of `scored`.
    /// - Parameters:
    ///   - costing: the costs' rates (default: the scorer's, on the LPR table).
    ///   - order: how offers are ordered within a status.
    ///   - detail: what to assess beyond the ranked offers.
    package static func assess(_ scored: ScoredChunk, with scorer: OfferScorer, language: Language, costing: Costing? = nil,
                               order: Order = .probability, detail: Detail = .full) -> [ApplicantAssessment] {
        let full = detail == .full
        let chunk = scored.chunk
        let ids = chunk.ids, names = chunk.names
        let catalog = scorer.catalog
        let definitions = full ? definitionColumns(chunk, scorer: scorer) : []
        let costing = costing ?? scorer.costing
        let spreads = costing.spreads(chunk)
        let errors = scorer.standardErrors(scored)
        return (0..<chunk.rowCount).map { r in
            let costs = costing.assess(chunk, row: r, spreads: spreads) { scored.status(offer: $0, row: r) }
            // Each offer with its logit, the logit's standard error and its ranking probability.
            // What the enterprise already holds (a tier, a quotation) is not offered.
            let held = catalog.offers.indices.filter { scorer.paths.isHeld(scored.eligibility, offer: $0, row: r) }
            let notApplicable = catalog.offers.indices.filter { !held.contains($0) && scored.eligibility.notApplicable(offer: $0, row: r) }
            // Each offer's gap, found once: the offers listed and the path steps taken by passing one.
            var gaps = [EligibilityGap??](repeating: nil, count: catalog.offers.count)
            func gap(_ k: Int) -> EligibilityGap? {
                if let known = gaps[k] { return known }
                let found = scorer.gaps.gap(scored.eligibility, offer: k, row: r, language: language)
                gaps[k] = .some(found)
                return found
            }
            var offers: [(offer: Catalog.Offer, k: Int, status: Truth, logit: Double?, se: Double?, key: Double?, gap: EligibilityGap?)] =
                catalog.offers.enumerated().filter { !held.contains($0.offset) && !notApplicable.contains($0.offset) }.map { k, offer in
                    let logit = scored.logit(offer: k, row: r)
                    let status = scored.status(offer: k, row: r)
                    // A failed offer shows no probability: its standard error was not computed.
                    let se = logit == nil || status == .fail ? nil : errors[k]?[r]
                    return (offer, k, status, logit, se,
                            logit.map { scorer.rankingProbability(offer: k, logit: $0, standardError: se) },
                            gap(k))
                }
            func group(_ t: Truth) -> Int { t == .pass ? 0 : t == .unknown ? 1 : 2 }
            offers.sort { a, b in
                if a.offer.kind.list.order != b.offer.kind.list.order { return a.offer.kind.list.order < b.offer.kind.list.order }
                if group(a.status) != group(b.status) { return group(a.status) < group(b.status) }
                if a.status != .fail, order == .cost, let x = costs.costs[a.k]?.allInRate, let y = costs.costs[b.k]?.allInRate, x != y { return x < y }
                // Policies: the largest benefit first, those that cannot be put in money last.
                if a.status != .fail, a.offer.benefit != nil, b.offer.benefit != nil {
                    let x = costs.benefits[a.k]?.amount, y = costs.benefits[b.k]?.amount
                    if x != y { return (x ?? -1) > (y ?? -1) }
                }
                if a.status != .fail, a.key != b.key {
                    // Offers with a model come before those without; then by ranking probability, high first.
                    guard let x = a.key else { return false }
                    guard let y = b.key else { return true }
                    // The applicant's best first: the highest probability of a favourable event, the lowest of an adverse one.
                    return scorer.model.features.polarity == .favourable ? x > y : x < y
                }
                // Offers not open to the enterprise: the nearest first.
                if a.status == .fail, let x = a.gap?.distance, let y = b.gap?.distance, x != y { return x < y }
                return a.offer.id < b.offer.id
            }
            var positions: [String: Int] = [:]
            let scaling = scorer.model.scaling
            let ranked = offers.map { item -> Offer in
                let list = item.offer.kind.list.id
                positions[list, default: 0] += 1
                let shown = item.status == .fail ? nil : item.logit
                let se = shown == nil ? nil : item.se
                let intercept = scorer.productIndex[item.k].map { scorer.model.linear.products[$0].intercept }
                return Offer(offer: item.offer, rank: positions[list]!, status: item.status,
                             probability: shown.map(Sigmoid.probability), logit: shown, points: shown.map(scaling.points(logit:)),
                             reasons: scored.eligibility.reasons(offer: item.k, row: r, language: language),
                             gap: item.gap,
                             warnings: scored.eligibility.warnings(offer: item.k, row: r, language: language),
                             path: scorer.paths.path(scored.eligibility, offer: item.k, row: r, asOf: scorer.asOf, language: language, gap: gap),
                             reasonCodes: shown == nil ? [] : scorer.reasonCodes(scored, offer: item.k, row: r),
                             basePoints: shown == nil ? nil : intercept.map(scaling.points(logit:)),
                             standardError: se,
                             interval: zip2(shown, se).map { LogitUncertainty.probabilityInterval(logit: $0, standardError: $1) },
                             successes: scorer.successes(offer: item.k), rankingProbability: shown == nil ? nil : item.key,
                             cost: costs.costs[item.k], benefit: costs.benefits[item.k])
            }
            let values = scorer.model.features.displayValues(chunk, row: r, parameters: scorer.parameters)
            guard full else {
                return ApplicantAssessment(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], keyFigures: [], featureValues: values,
                                           offers: ranked, held: [], notApplicable: [], supplements: [], rangeNotes: [])
            }
            return ApplicantAssessment(enterpriseID: ids[r], name: names[r], line: chunk.lines[r],
                                       keyFigures: keyFigures(chunk, row: r, definitions: definitions, scorer: scorer, language: language),
                                       featureValues: values, offers: ranked, held: held.map { catalog.offers[$0] },
                                       notApplicable: notApplicable.map {
                                           NotApplicable(offer: catalog.offers[$0],
                                                         reasons: scored.eligibility.notApplicableReasons(offer: $0, row: r, language: language))
                                       },
                                       supplements: supplements(values, offers: ranked, scorer: scorer, language: language),
                                       rangeNotes: scorer.model.features.rangeNotes(chunk, row: r, parameters: scorer.parameters))
        }
    }

    /// The missing features whose value could raise some scored offer's points by at least half a
    /// point, each with its largest gain, largest first.
    static func supplements(_ values: [FeatureValue], offers: [Offer], scorer: OfferScorer, language: Language) -> [Supplement] {
        let features = scorer.model.features
        var out: [Supplement] = []
        for (j, value) in values.enumerated() where value == .missing {
            var best: (points: Double, offer: String)?
            for o in offers where o.probability != nil {
                guard let p = scorer.model.linear.products.firstIndex(where: { $0.id == o.offer.id }) else { continue }
                let range = features.contributionRange(feature: j, weights: scorer.model.linear.products[p].weights)
                // What supplying the value could gain the applicant, in points (for an adverse
                // event, points the probability could fall).
                let points = scorer.model.scaling.factor * features.polarity.gain(range.best - range.missing)
                if points > (best?.points ?? 0.5) { best = (points, o.offer.id) }
            }
            guard let best else { continue }
            let f = features.spec.features[j]
            out.append(Supplement(feature: j, name: f.name, label: language == .zh ? f.chinese : f.english, maximumPoints: best.points, offer: best.offer))
        }
        return out.sorted { $0.maximumPoints != $1.maximumPoints ? $0.maximumPoints > $1.maximumPoints : $0.feature < $1.feature }
    }

    /// Both values, or nil.
    static func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    /// Each catalog definition's value for every row of `chunk` (compiled once by the scorer,
    /// evaluated once per chunk, a column at a time); nil for a definition that does not compile
    /// to a number.
    static func definitionColumns(_ chunk: RecordChunk, scorer: OfferScorer) -> [NumericColumn?] {
        scorer.definitions.map { compiled in
            guard let compiled, case .numbers(let values, let missing) = compiled.evaluate(chunk, parameters: scorer.parameters) else { return nil }
            return NumericColumn(values: values, missing: missing)
        }
    }

    /// The applicant's tier, certificate, size and the catalog's derived figures (R&D ratios,
    /// growth, profit), each formatted in its unit.
    static func keyFigures(_ chunk: RecordChunk, row r: Int, definitions: [NumericColumn?], scorer: OfferScorer,
                           language: Language) -> [KeyFigure] {
        let schema = scorer.model.features.schema
        let missingText = language == .zh ? "缺失" : "missing"
        var out: [KeyFigure] = []
        for name in keyFields {
            guard let i = schema.index(of: name) else { continue }
            let field = schema.fields[i]
            let label = language == .zh ? field.chineseName : field.name
            switch (field.kind, chunk.value(field: i, row: r)) {
            case (_, .missing):
                out.append(KeyFigure(name: name, label: label, value: nil, text: missingText))
            case (.category(let options), .number(let v)):
                let option = options[Int(v)]
                out.append(KeyFigure(name: name, label: label, value: nil, text: language == .zh ? option.chinese : option.code))
            case (.date, .number(let v)):
                out.append(KeyFigure(name: name, label: label, value: nil, text: CivilDate(daysSinceEpoch: Int(v)).iso))
            case (_, .number(let v)):
                // Amounts, ratios and counts in their unit; flags and years as whole numbers.
                let text = Catalog.Unit.of(field).map { EligibilityResult.format(v, $0, language) } ?? Fixed.format(v, digits: 0)
                out.append(KeyFigure(name: name, label: label, value: v, text: text))
            case (_, .text(let t)):
                out.append(KeyFigure(name: name, label: label, value: nil, text: t))
            }
        }
        for (definition, column) in zip(scorer.catalog.definitions, definitions) where definition.shown {
            let label = language == .zh ? definition.chinese : definition.english
            guard let value = column?[r] else {
                out.append(KeyFigure(name: definition.name, label: label, value: nil, text: missingText))
                continue
            }
            out.append(KeyFigure(name: definition.name, label: label, value: value, text: EligibilityResult.format(value, definition.unit, language)))
        }
        return out
    }
}
