package import FinRecBase
import FinRecRecords
import FinRecLinear
package import FinRecFeatures
extension CivilDate {
    /// The same day `months` later (the month's last day when it is shorter).
    package func adding(months: Int) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        for d in stride(from: day, through: 28, by: -1) {
            if let date = CivilDate(year: y, month: m, day: d) { return date }
        }
        return CivilDate(year: y, month: m, day: 28)!
    }
}

/// Where an enterprise stands on the steps before an offer (the catalog's `path`): 股改, quotation,
/// the innovation tier, months quoted, a lower tier. A step is done when its expression holds; a
/// step taken by passing another offer shows how far that offer is; a waiting step shows the
/// months left and the earliest date the rule allows.
package struct OfferPath: Sendable, Equatable {
    package struct Step: Sendable, Equatable {
        package let id: String
        package let label: String
        /// `.pass` done, `.fail` still to do, `.unknown` cannot tell (missing data).
        package let done: Truth
        /// For a step taken by passing another offer: its id, its status and, when it does not pass, its gap.
        package let offer: String?
        package let offerStatus: Truth?
        package let gap: EligibilityGap?
        /// For a waiting step: the months the rule asks for, the months left (nil until the count
        /// starts) and the earliest date it can be done (YYYY-MM-DD).
        package let requiredMonths: Int?
        package let monthsLeft: Int?
        package let earliest: String?
        /// "进入创新层（条件已满足）", "挂牌满12个月（还需 5 个月，最早 2026-11-30）".
        package let text: String
    }

    package let steps: [Step]
    /// "股改（已完成）→ 新三板基础层挂牌（差距 0.03）→ … → 北交所".
    package let text: String
}

/// Assesses every offer's path steps row by row (the evaluator compiled them once).
package struct PathFinder: Sendable {
    let gaps: GapFinder
    /// Per offer and path step, the catalog index of the offer the step is taken by passing.
    private let stepOffers: [[Int?]]

    package init(gaps: GapFinder) {
        self.gaps = gaps
        let offers = gaps.evaluator.catalog.offers
        stepOffers = offers.map { offer in offer.path.map { step in step.offer.flatMap { id in offers.firstIndex { $0.id == id } } } }
    }

    /// Per offer, whether each row of the result's chunk already holds it, a column at a time
    /// (offers without a `held` test: all false).
    package func heldRows(_ result: EligibilityResult) -> [[Bool]] {
        let evaluator = gaps.evaluator
        return evaluator.heldSlots.map { slot in
            guard let slot, case .truths(let t) = result.columns.values(slot, evaluator.expressions[slot]) else {
                return [Bool](repeating: false, count: result.chunk.rowCount)
            }
            return t.map { $0 == .pass }
        }
    }

    /// Whether row `r` already holds offer `k` (a tier it has reached).
    package func isHeld(_ result: EligibilityResult, offer k: Int, row r: Int) -> Bool {
        guard let slot = gaps.evaluator.heldSlots[k] else { return false }
        return gaps.evaluator.truth(result, slot: slot, row: r) == .pass
    }

    /// The path of offer `k` for row `r`; nil when the offer has no path or passes.
    package func path(_ result: EligibilityResult, offer k: Int, row r: Int, asOf: Int, language: Language) -> OfferPath? {
        path(result, offer: k, row: r, asOf: asOf, language: language) { gaps.gap(result, offer: $0, row: r, language: language) }
    }

    /// The same, taking the gap of a step's offer from `gap` (offer index → its gap for row `r`
    /// in `language`): an assessment has already found the gaps of the offers it lists.
    package func path(_ result: EligibilityResult, offer k: Int, row r: Int, asOf: Int, language: Language,
                      gap gapOf: (Int) -> EligibilityGap?) -> OfferPath? {
        let catalog = gaps.evaluator.catalog
        let offer = catalog.offers[k]
        guard !offer.path.isEmpty, result.status(offer: k, row: r) != .pass else { return nil }
        let zh = language == .zh
        var steps: [OfferPath.Step] = []
        var earlierDone = true
        for (j, step) in offer.path.enumerated() {
            let status = gaps.evaluator.truth(result, slot: gaps.evaluator.stepSlots[k][j], row: r)
            let label = zh ? step.chinese : step.english
            var offerStatus: Truth?, gap: EligibilityGap?, required: Int?, left: Int?, earliest: String?
            var note: String
            if status == .pass {
                note = zh ? "已完成" : "done"
            } else if let k2 = stepOffers[k][j] {
                offerStatus = result.status(offer: k2, row: r)
                gap = gapOf(k2)
                if offerStatus == .pass {
                    note = zh ? "条件已满足" : "conditions met"
                } else if let g = gap, g.reachable {
                    let nearest = g.standards.first.map { zh ? "最接近\($0)，" : "nearest \($0), " } ?? ""
                    note = nearest + (zh ? "差距 " : "distance ") + Fixed.exact(g.distance, digits: 2)
                } else if let accounts = gap?.nextAccounts {
                    note = zh ? "待\(accounts.text)" : "with \(accounts.text) at the earliest"
                } else {
                    note = zh ? "暂不可达" : "out of reach"
                }
            } else if let field = step.monthsField, case .binary(.greaterOrEqual, .column(field, _), .number(let n)) = step.done {
                required = Int(n)
                // The months already counted count, whatever step is still open before this one
                // (on NEEQ, basic-tier and innovation-tier months add up): the count has started
                // when the field has a value above zero or the steps before are done.
                if case .number(let so) = result.chunk.value(field, row: r), earlierDone || so > 0 {
                    left = max(0, Int(n) - Int(so))
                    earliest = CivilDate(daysSinceEpoch: asOf).adding(months: left!).iso
                    note = zh ? "已满 \(Int(so)) 个月，还需 \(left!) 个月，最早 \(earliest!)" : "\(Int(so)) months so far, \(left!) to go, at the earliest \(earliest!)"
                    if !earlierDone {
                        note += zh ? "；须同时完成前一步" : "; the step before must also be done"
                    }
                } else {
                    note = zh ? "前一步完成后满\(Int(n))个月" : "\(Int(n)) months after the step before"
                }
            } else {
                note = status == .unknown ? (zh ? "无法判断" : "cannot tell") : (zh ? "待完成" : "to do")
            }
            if status != .pass { earlierDone = false }
            steps.append(OfferPath.Step(id: step.id, label: label, done: status, offer: step.offer, offerStatus: offerStatus, gap: gap,
                                        requiredMonths: required, monthsLeft: left, earliest: earliest,
                                        text: label + (zh ? "（\(note)）" : " (\(note))")))
        }
        let text = (steps.map(\.text) + [offer.chineseName]).joined(separator: " → ")
        return OfferPath(steps: steps, text: text)
    }
}
