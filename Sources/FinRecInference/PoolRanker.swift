package import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
import FinRecModel
/// One enterprise in an offer's top list.
package struct RankedEnterprise: Sendable, Equatable {
    package let enterpriseID: String
    package let name: String?
    /// Input line of the record.
    package let line: Int
    /// The model's logit, probability and points; nil for a policy (ranked by its benefit).
    package let logit: Double?
    package var probability: Double? { logit.map(Sigmoid.probability) }
    package let points: Double?
    /// For a policy: what it is worth to the enterprise (万元), nil when that cannot be put in money.
    package var benefit: Double?
    /// For an eligible enterprise: the features that raise its score most, largest first (only
    /// those that raise it, at most the ranker's `reasonCount`).
    package let reasonCodes: [ReasonCode]
    /// For an undecided enterprise: the schema fields (indices) that would decide its eligibility.
    package let missingFields: [Int]
    /// For an undecided enterprise: the review conditions (indices into the offer's conditions,
    /// depth first) that leave it to a person, e.g. 创业板's industry list.
    package var reviewConditions: [Int] = []
    /// The enterprise's city and certification tier code (nil when missing).
    package var city: String?
    package var tier: String?
    /// Position in the input (chunk-independent), the last tie-break.
    let sequence: Int

    /// The ranking order: higher logit first, then smaller enterprise id, then earlier in the input.
    static func ranksBefore(_ a: RankedEnterprise, _ b: RankedEnterprise) -> Bool {
        ranksBefore(logit: a.logit ?? -.infinity, id: a.enterpriseID, sequence: a.sequence, b)
    }

    /// The same order for a candidate not built yet (building one costs its reasons).
    static func ranksBefore(logit: Double, id: String, sequence: Int, _ b: RankedEnterprise) -> Bool {
        let other = b.logit ?? -.infinity
        if logit != other { return logit > other }
        if id != b.enterpriseID { return id < b.enterpriseID }
        return sequence < b.sequence
    }

    /// A policy's order: the larger benefit first (none last), then smaller enterprise id, then
    /// earlier in the input.
    static func ranksBeforeByBenefit(_ a: RankedEnterprise, _ b: RankedEnterprise) -> Bool {
        ranksBefore(benefit: a.benefit, id: a.enterpriseID, sequence: a.sequence, b)
    }

    static func ranksBefore(benefit: Double?, id: String, sequence: Int, _ b: RankedEnterprise) -> Bool {
        if benefit != b.benefit { return (benefit ?? -.infinity) > (b.benefit ?? -.infinity) }
        if id != b.enterpriseID { return id < b.enterpriseID }
        return sequence < b.sequence
    }
}

/// An enterprise that fails or is undecided for an offer, with how far it is from passing by a
/// way open now (one that waits for the next annual accounts, or runs into a condition the
/// enterprise cannot change, is not a near-miss).
package struct NearMiss: Sendable, Equatable {
    package let enterpriseID: String
    package let name: String?
    package let line: Int
    package let city: String?
    /// The certification tier's code, nil when missing.
    package let tier: String?
    package let status: Truth
    /// The nearest way to pass: distance, standard and shortfalls (in the ranker's language).
    package let gap: EligibilityGap
    /// The model's logit of the offer for the enterprise as it is (nil for a rule-only offer):
    /// how suitable the offer would be once the gap is closed, the tie-break between equal gaps.
    package let logit: Double?
    package var probability: Double? { logit.map(Sigmoid.probability) }
    /// For an undecided enterprise: the schema fields (indices) that would decide its eligibility.
    package var missingFields: [Int] = []
    /// For an undecided enterprise: the review conditions (depth-first indices) left to a person.
    package var reviewConditions: [Int] = []
    let sequence: Int

    /// Nearest first; among equal gaps the higher probability of the offer first (a rule-only
    /// offer's have none), then smaller enterprise id, then earlier in the input.
    static func ranksBefore(_ a: NearMiss, _ b: NearMiss) -> Bool {
        ranksBefore(distance: a.gap.distance, logit: a.logit, id: a.enterpriseID, sequence: a.sequence, b)
    }

    static func ranksBefore(distance: Double, logit: Double?, id: String, sequence: Int, _ b: NearMiss) -> Bool {
        if distance != b.gap.distance { return distance < b.gap.distance }
        if logit != b.logit {
            guard let logit else { return false }
            guard let other = b.logit else { return true }
            return logit > other
        }
        if id != b.enterpriseID { return id < b.enterpriseID }
        return sequence < b.sequence
    }
}

/// Per offer: how many enterprises were eligible, undecided or ruled out, and the distribution
/// of the eligible ones' probabilities (1,000 bins, so quantiles are exact to 0.001).
package struct OfferSummary: Sendable, Equatable {
    package var eligible = 0
    package var unknown = 0
    package var ineligible = 0
    var histogram = [Int](repeating: 0, count: 1000)
    var sumLogit = 0.0

    /// The q-quantile of the eligible rows' probability (upper edge of its bin), nil when none.
    package func probabilityQuantile(_ q: Double) -> Double? {
        // Rule-only offers count eligible rows but have no probabilities.
        guard eligible > 0, histogram.contains(where: { $0 > 0 }) else { return nil }
        let target = max(1, Int((q * Double(eligible)).rounded(.up)))
        var seen = 0
        for (b, n) in histogram.enumerated() {
            seen += n
            if seen >= target { return Double(b + 1) / 1000 }
        }
        return 1
    }

    package var meanLogit: Double? { eligible > 0 ? sumLogit / Double(eligible) : nil }

    mutating func add(_ other: OfferSummary) {
        eligible += other.eligible
        unknown += other.unknown
        ineligible += other.ineligible
        for b in histogram.indices { histogram[b] += other.histogram[b] }
        sumLogit += other.sumLogit
    }
}

/// For one enterprise, its best offer of each of the catalog's ``Catalog/bestColumns`` (its best
/// loan, its best listing path …): among the offers of the kinds with that prefix, the eligible
/// offer with the highest ranking probability, else the undecided one with the highest, else none.
package struct BestOffer: Sendable, Equatable {
    /// One list's choice.
    package struct Choice: Sendable, Equatable {
        /// Catalog offer index.
        package let offer: Int
        package let status: Truth
        package let logit: Double
        /// The probability it was chosen by: its own, or moderated by its uncertainty when its
        /// model learnt from fewer than ``OfferScorer/minimumSuccesses`` successes.
        package let rankingProbability: Double
    }

    package let enterpriseID: String
    package let name: String?
    package let line: Int
    /// One choice per ``Catalog/bestColumns`` prefix, in that order.
    package let choices: [Choice?]
    package let eligibleOffers: Int
    package let unknownOffers: Int
}

/// Streams scored chunks into per-offer top-K lists (eligible and undecided kept apart), per-offer
/// summaries and each enterprise's best offer. Memory is O(offers × K), whatever the pool size.
package struct PoolRanker: Sendable {
    package let offers: [Int]
    /// Per ranked offer, whether it is a policy, listed by its benefit to the enterprise.
    package let policies: [Bool]
    package let top: Int
    package let reasonCount: Int
    /// Per offer, the top eligible and the top undecided enterprises.
    package private(set) var eligible: [TopK<RankedEnterprise>]
    package private(set) var unknown: [TopK<RankedEnterprise>]

    /// The top eligible enterprises of the `i`-th ranked offer (``offers``[i]), best first.
    package func topEligible(_ i: Int) -> [RankedEnterprise] { eligible[i].sorted() }
    /// The top undecided enterprises of the `i`-th ranked offer, best first.
    package func topUndecided(_ i: Int) -> [RankedEnterprise] { unknown[i].sorted() }
    package private(set) var summaries: [OfferSummary]
    package private(set) var rows = 0
    /// Rows left out by a filter (`finrec rank --where`).
    package private(set) var filteredOut = 0
    /// Near-misses kept per offer (0: none), and the language their gaps are worded in.
    package let nearMissCount: Int
    package let language: Language
    package private(set) var nearMisses: [TopK<NearMiss>]

    /// The enterprises of the `i`-th ranked offer that fail or are undecided, nearest first.
    package func topNearMisses(_ i: Int) -> [NearMiss] { nearMisses[i].sorted() }

    /// - Parameters:
    ///   - offers: catalog indices of the offers to rank.
    ///   - top: K, per offer and per group.
    ///   - reasonCount: reason codes kept per listed enterprise.
    ///   - nearMisses: per offer, how many enterprises that do not pass to keep by their gap.
    ///   - policies: per offer, whether it is a policy ranked by its benefit (default: none).
    package init(offers: [Int], top: Int, reasonCount: Int = 3, nearMisses: Int = 0, language: Language = .zh, policies: [Bool]? = nil) {
        let policies = policies ?? Array(repeating: false, count: offers.count)
        self.policies = policies
        self.offers = offers
        self.top = top
        self.reasonCount = reasonCount
        nearMissCount = nearMisses
        self.language = language
        self.nearMisses = Array(repeating: TopK(capacity: nearMisses, by: NearMiss.ranksBefore), count: offers.count)
        let empty = TopK<RankedEnterprise>(capacity: top, by: RankedEnterprise.ranksBefore)
        let byBenefit = TopK<RankedEnterprise>(capacity: top, by: RankedEnterprise.ranksBeforeByBenefit)
        eligible = policies.map { $0 ? byBenefit : empty }
        unknown = policies.map { $0 ? byBenefit : empty }
        summaries = Array(repeating: OfferSummary(), count: offers.count)
    }

    /// Adds the rows of `scored` (the chunk that starts at input position `firstSequence`) to the
    /// top lists and summaries. Runs in file order; ``bestOffers(_:offers:)`` may run anywhere.
    /// - Parameters:
    ///   - selected: the rows a filter keeps (nil: all).
    ///   - distances: per ranked offer, each row's gap distance (``GapFinder/distances(_:offer:)``),
    ///     when near-misses are kept.
    package mutating func add(_ scored: ScoredChunk, scorer: OfferScorer, firstSequence: Int, selected: [Bool]? = nil, distances: [[Double]]? = nil) {
        let chunk = scored.chunk
        let ids = chunk.ids, names = chunk.names
        if let selected { filteredOut += selected.lazy.filter { !$0 }.count }
        let spreads = policies.contains(true) ? scorer.costing.spreads(chunk) : []
        for (i, k) in offers.enumerated() {
            if policies[i] {
                addPolicy(i, offer: k, scored, scorer: scorer, spreads: spreads, firstSequence: firstSequence, selected: selected, distances: distances)
                continue
            }
            for r in 0..<chunk.rowCount where selected?[r] ?? true {
                let status = scored.status(offer: k, row: r)
                let modelLogit = scored.logit(offer: k, row: r)
                if status != .pass, let distance = distances?[i][r], distance.isFinite,
                   nearMisses[i].admits({ NearMiss.ranksBefore(distance: distance, logit: modelLogit, id: ids[r], sequence: firstSequence + r, $0) }),
                   let gap = scorer.gaps.gap(scored.eligibility, offer: k, row: r, language: language) {
                    nearMisses[i].insert(NearMiss(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], city: Self.text(chunk, "city", r),
                                                  tier: Self.category(chunk, "certification_tier", r), status: status, gap: gap, logit: modelLogit,
                                                  missingFields: scored.eligibility.missingFields(offer: k, row: r),
                                                  reviewConditions: scored.eligibility.reviewConditions(offer: k, row: r),
                                                  sequence: firstSequence + r))
                }
                guard let logit = modelLogit else {
                    // A rule-only offer (a tier, or a board without a model): counted, not ranked.
                    switch status {
                    case .pass: summaries[i].eligible += 1
                    case .unknown: summaries[i].unknown += 1
                    case .fail: summaries[i].ineligible += 1
                    }
                    continue
                }
                let sequence = firstSequence + r
                func better(_ worst: RankedEnterprise) -> Bool {
                    RankedEnterprise.ranksBefore(logit: logit, id: ids[r], sequence: sequence, worst)
                }
                switch status {
                case .pass:
                    summaries[i].eligible += 1
                    summaries[i].sumLogit += logit
                    summaries[i].histogram[min(999, Int(Sigmoid.probability(logit) * 1000))] += 1
                    if eligible[i].admits(better) {
                        let codes = scorer.reasonCodes(scored, offer: k, row: r).prefix(reasonCount).filter { $0.logit > 0 }
                        eligible[i].insert(RankedEnterprise(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], logit: logit,
                                                            points: scorer.model.scaling.points(logit: logit), reasonCodes: Array(codes),
                                                            missingFields: [], city: Self.text(chunk, "city", r),
                                                            tier: Self.category(chunk, "certification_tier", r), sequence: sequence))
                    }
                case .unknown:
                    summaries[i].unknown += 1
                    if unknown[i].admits(better) {
                        unknown[i].insert(RankedEnterprise(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], logit: logit,
                                                           points: scorer.model.scaling.points(logit: logit), reasonCodes: [],
                                                           missingFields: scored.eligibility.missingFields(offer: k, row: r),
                                                           reviewConditions: scored.eligibility.reviewConditions(offer: k, row: r),
                                                           city: Self.text(chunk, "city", r), tier: Self.category(chunk, "certification_tier", r),
                                                           sequence: sequence))
                    }
                case .fail:
                    summaries[i].ineligible += 1
                }
            }
        }
        rows += chunk.rowCount - (selected?.lazy.filter { !$0 }.count ?? 0)
    }

    /// A policy's rows: the entitled and the undecided enterprises by their benefit, near-misses
    /// by their gap, every row counted.
    mutating func addPolicy(_ i: Int, offer k: Int, _ scored: ScoredChunk, scorer: OfferScorer, spreads: [[Int]?], firstSequence: Int,
                            selected: [Bool]?, distances: [[Double]]?) {
        let chunk = scored.chunk
        let ids = chunk.ids, names = chunk.names
        for r in 0..<chunk.rowCount where selected?[r] ?? true {
            let status = scored.status(offer: k, row: r)
            let sequence = firstSequence + r
            if status != .pass, let distance = distances?[i][r], distance.isFinite,
               nearMisses[i].admits({ NearMiss.ranksBefore(distance: distance, logit: nil, id: ids[r], sequence: sequence, $0) }),
               let gap = scorer.gaps.gap(scored.eligibility, offer: k, row: r, language: language) {
                nearMisses[i].insert(NearMiss(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], city: Self.text(chunk, "city", r),
                                              tier: Self.category(chunk, "certification_tier", r), status: status, gap: gap, logit: nil,
                                              missingFields: scored.eligibility.missingFields(offer: k, row: r),
                                              reviewConditions: scored.eligibility.reviewConditions(offer: k, row: r), sequence: sequence))
            }
            switch status {
            case .fail:
                summaries[i].ineligible += 1
                continue
            case .pass: summaries[i].eligible += 1
            case .unknown: summaries[i].unknown += 1
            }
            let benefit = scorer.costing.benefit(policy: k, chunk, row: r, spreads: spreads) { scored.status(offer: $0, row: r) }?.amount
            let list = status == .pass ? eligible[i] : unknown[i]
            guard list.admits({ RankedEnterprise.ranksBefore(benefit: benefit, id: ids[r], sequence: sequence, $0) }) else { continue }
            var entry = RankedEnterprise(enterpriseID: ids[r], name: names[r], line: chunk.lines[r], logit: nil, points: nil, reasonCodes: [],
                                         missingFields: status == .pass ? [] : scored.eligibility.missingFields(offer: k, row: r),
                                         reviewConditions: status == .pass ? [] : scored.eligibility.reviewConditions(offer: k, row: r),
                                         city: Self.text(chunk, "city", r), tier: Self.category(chunk, "certification_tier", r), sequence: sequence)
            entry.benefit = benefit
            if status == .pass { eligible[i].insert(entry) } else { unknown[i].insert(entry) }
        }
    }

    package static func text(_ chunk: RecordChunk, _ field: String, _ r: Int) -> String? {
        guard chunk.schema.index(of: field) != nil, case .text(let t) = chunk.value(field, row: r) else { return nil }
        return t
    }

    package static func category(_ chunk: RecordChunk, _ field: String, _ r: Int) -> String? {
        guard let i = chunk.schema.index(of: field), case .category(let options) = chunk.schema.fields[i].kind,
              case .number(let x) = chunk.value(field, row: r), Int(x) < options.count else { return nil }
        return options[Int(x)].code
    }

    /// Each row's best offer per ``Catalog/bestColumns`` prefix among `offers` (catalog indices):
    /// per prefix, the eligible offer with the highest ranking probability (as `score` ranks), else the undecided
    /// one with the highest, else none. Ties go to the earlier offer.
    package static func bestOffers(_ scored: ScoredChunk, offers: [Int], scorer: OfferScorer) -> [BestOffer] {
        let chunk = scored.chunk
        let ids = chunk.ids, names = chunk.names
        let indicative = offers.map(scorer.isIndicative(offer:))
        // Per offer, the best column it competes for; offers of kinds without one are not counted.
        let prefixes = scorer.catalog.bestColumns
        let column = offers.map { k in scorer.catalog.offers[k].kind.best.flatMap { prefixes.firstIndex(of: $0) } }
        return (0..<chunk.rowCount).map { r in
            var best: [Truth: [Int: BestOffer.Choice]] = [:]
            var passes = 0, unknowns = 0
            for (i, k) in offers.enumerated() {
                guard let c = column[i] else { continue }
                guard let logit = scored.logit(offer: k, row: r) else { continue }
                let status = scored.status(offer: k, row: r)
                if status == .fail { continue }
                if status == .pass { passes += 1 } else { unknowns += 1 }
                // The standard error (O(d²)) only where it changes the key: indicative offers.
                let key = scorer.rankingProbability(offer: k, logit: logit,
                                                    standardError: indicative[i] ? scorer.standardError(scored, offer: k, row: r) : nil)
                if best[status]?[c].map({ key > $0.rankingProbability }) ?? true {
                    best[status, default: [:]][c] = BestOffer.Choice(offer: k, status: status, logit: logit, rankingProbability: key)
                }
            }
            return BestOffer(enterpriseID: ids[r], name: names[r], line: chunk.lines[r],
                             choices: prefixes.indices.map { c in best[.pass]?[c] ?? best[.unknown]?[c] },
                             eligibleOffers: passes, unknownOffers: unknowns)
        }
    }
}
