package import FinRecBase
import FinRecRecords
import FinRecLinear
package import FinRecFeatures
/// How far an enterprise is from passing an offer, read off the rule expressions: each failed
/// comparison of a quantity with a threshold has a shortfall in the quantity's unit; an "all"
/// adds its children's distances, an "any" takes its nearest alternative (e.g. the closest listing
/// standard). Nothing here is written per board: a new offer or standard in the catalog gets its
/// gaps from its expressions.
///
/// The distance is a sum of condition costs: 0 for a condition met; for a failed comparison of a
/// quantity its shortfall relative to the larger of the threshold and the value (at least 0.01,
/// at most 1: 差 100万 of 1,500万 costs 0.067); 1 for any other failed condition (a step: a
/// certificate, a company form, a tier); 0.5 for an undecided one (missing data or a person's
/// judgement); infinite for a failed condition the enterprise cannot change (which rules apply on
/// the assessment date, its industry, a dishonesty listing), so such a way is never the nearest and
/// an offer behind one is out of reach.
///
/// A failed condition that reads only figures of closed fiscal years (revenue_y1, a 2-year total:
/// fields whose ``FieldSpec/change`` is `withAccounts`) cannot close before the next annual
/// accounts: it is out of reach now too. When no way is open now but one
/// opens with the next accounts, the gap is that way, with ``nextAccounts`` saying when.
package struct EligibilityGap: Sendable, Equatable {
    package struct Item: Sendable, Equatable {
        package let conditionID: String
        /// `.fail`, or `.unknown` (missing data, or a review left to a person).
        package let status: Truth
        /// For a failed comparison of a quantity: its value, the threshold, and how far the value
        /// must move (positive), in the quantity's unit (万元, a fraction, years …).
        package let value: Double?
        package let threshold: Double?
        package let shortfall: Double?
        package let cost: Double
        /// E.g. "最近一年净利润 1400万元，需 ≥1500万元，差 100万元（北交所标准一）".
        package internal(set) var text: String
        /// For a failed condition: when the enterprise can meet it (nil for an undecided one).
        package var closes: Closing?
        /// For an undecided condition: the fields (labels, as in the text) whose absence leaves it undecided.
        package var missingFields: [String] = []
    }

    /// When a failed condition can be met.
    package enum Closing: String, Sendable, Equatable {
        /// By the enterprise's own steps.
        case now
        /// Only with its next annual accounts (at the earliest).
        case nextAccounts = "next_accounts"
        /// Not by the enterprise (the rules that apply, its industry, a listing it is on).
        case never
    }

    /// The next annual accounts, the earliest a way through figures of closed years can open.
    package struct NextAccounts: Sendable, Equatable {
        /// The fiscal year they cover (the record's fiscal_year + 1); nil when fiscal_year is missing.
        package let fiscalYear: Int?
        /// The distance of the way they could open, counted as ``EligibilityGap/distance`` would be.
        package let distance: Double
        /// "2026年度财务报表（约2027年4—5月公布）" / "the FY2026 accounts (published around April–May 2027)".
        package let text: String
    }

    /// 0 when the offer passes; infinite when no way is open now.
    package let distance: Double
    /// Whether a way is open now (a way that waits for the next accounts is not).
    package var reachable: Bool { distance.isFinite }
    /// When no way is open now but one opens with the next annual accounts: when, and that way's
    /// distance (``standards`` and ``items`` are then that way).
    package var nextAccounts: NextAccounts?
    /// The alternatives taken at each "any" on the nearest way, outermost first ("北交所标准一").
    package let standards: [String]
    /// The conditions left on that way, in rule order.
    package let items: [Item]

    /// Cost of an undecided condition.
    package static let unknownCost = 0.5
    /// Cost of a failed condition that is not a comparison of a quantity.
    package static let stepCost = 1.0
}

/// The comparisons of quantities in an evaluator's conditions, compiled once, to measure gaps.
package struct GapFinder: Sendable {
    package let evaluator: EligibilityEvaluator
    struct Comparison: Sendable {
        let op: ParsedExpression.BinaryOperator
        /// Slots of the evaluator's ``EligibilityEvaluator/expressions``.
        let lhs: Int
        let rhs: Int
        let unit: Catalog.Unit
    }
    /// Per offer, per condition (depth first): the comparison, or nil for other conditions.
    let comparisons: [[Comparison?]]
    /// Per offer, per condition: when a failure of it can close (``closing(_:fieldsRead:schema:)``).
    let closing: [[EligibilityGap.Closing]]

    package init(evaluator: EligibilityEvaluator) {
        self.evaluator = evaluator
        comparisons = evaluator.conditions.indices.map { k in
            evaluator.conditions[k].indices.map { i -> Comparison? in
                guard !evaluator.conditions[k][i].condition.manual, case .binary(let op, _, _) = evaluator.conditions[k][i].condition.expression,
                      [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(op), let sides = evaluator.sides[k][i],
                      case .quantity(let unit)? = sides.kind, let l = sides.lhs, let r = sides.rhs else { return nil }
                return Comparison(op: op, lhs: l, rhs: r, unit: unit)
            }
        }
        closing = evaluator.conditions.map { offer in
            offer.map { Self.closing($0.condition, fieldsRead: $0.compiled.fieldsRead, schema: evaluator.schema) }
        }
    }

    /// When a failure of `condition` can close, from the catalog and the schema, never per offer:
    /// never for a condition marked `fixed` (which rules apply on the assessment date) or one
    /// that reads only fields the enterprise cannot change (its industry, a dishonesty listing);
    /// with the next accounts for one that reads only figures of closed fiscal years (with,
    /// perhaps, fields it cannot change: the age from fiscal_year − founding_year); now otherwise
    /// (a field it can change, or no field at all).
    static func closing(_ condition: Catalog.Condition, fieldsRead: [Int], schema: RecordSchema) -> EligibilityGap.Closing {
        if condition.fixed { return .never }
        let changes = Set(fieldsRead.map { schema.fields[$0].change })
        if changes.isEmpty || changes.contains(.now) { return .now }
        return changes.contains(.withAccounts) ? .nextAccounts : .never
    }

    /// Each row's distance from offer `k` (0 where it passes) by a way open now, for the whole
    /// chunk at once: infinite where every way waits for the next accounts or is closed.
    package func distances(_ result: EligibilityResult, offer k: Int) -> [Double] {
        let rows = result.chunk.rowCount
        let costs = (0..<comparisons[k].count).map { i in leafCosts(result, offer: k, index: i, rows: rows, withNextAccounts: false) }
        var next = 0
        return Self.combine(evaluator.catalog.offers[k].rule, costs, &next, rows: rows)
    }

    /// Each row's cost of condition `i` of offer `k`: infinite for a failure that cannot close,
    /// or that closes only with the next accounts unless `withNextAccounts`.
    func leafCosts(_ result: EligibilityResult, offer k: Int, index i: Int, rows: Int, withNextAccounts: Bool) -> [Double] {
        let truths = result.conditionTruths[k][i]
        // The comparison's two columns, evaluated the first time a row needs them (a row that
        // fails a comparison the enterprise can close).
        var columns: (lhs: [Double], lhsMissing: [Bool], rhs: [Double], rhsMissing: [Bool])??
        return (0..<rows).map { r in
            leafCost(truths[r], offer: k, index: i, withNextAccounts: withNextAccounts) { c in
                if columns == nil {
                    if case .numbers(let lhs, let lhsMissing) = result.columns.values(c.lhs, evaluator.expressions[c.lhs]),
                       case .numbers(let rhs, let rhsMissing) = result.columns.values(c.rhs, evaluator.expressions[c.rhs]) {
                        columns = .some((lhs, lhsMissing, rhs, rhsMissing))
                    } else {
                        columns = .some(nil)
                    }
                }
                guard let sides = columns!, !sides.lhsMissing[r], !sides.rhsMissing[r] else { return nil }
                return (sides.lhs[r], sides.rhs[r])
            }
        }
    }

    /// Row `r`'s cost of condition `i` of offer `k`, as ``leafCosts(_:offer:index:rows:withNextAccounts:)``
    /// gives it for a whole chunk.
    func leafCost(_ result: EligibilityResult, offer k: Int, index i: Int, row r: Int, withNextAccounts: Bool) -> Double {
        leafCost(result.conditionTruths[k][i][r], offer: k, index: i, withNextAccounts: withNextAccounts) { c in
            guard let value = evaluator.number(result, slot: c.lhs, row: r), let threshold = evaluator.number(result, slot: c.rhs, row: r) else { return nil }
            return (value, threshold)
        }
    }

    /// The cost of condition `i` of offer `k` with truth `truth`: 0 met, ``EligibilityGap/unknownCost``
    /// undecided; a failure that cannot close (or not before the next accounts, unless
    /// `withNextAccounts`) is infinite, a failed comparison whose `values` (value, threshold) are
    /// both there costs its relative shortfall, any other failure a step.
    private func leafCost(_ truth: Truth, offer k: Int, index i: Int, withNextAccounts: Bool,
                          values: (Comparison) -> (value: Double, threshold: Double)?) -> Double {
        switch truth {
        case .pass: return 0
        case .unknown: return EligibilityGap.unknownCost
        case .fail:
            // No way through a condition the enterprise cannot change (or not before its next accounts).
            if closing[k][i] == .never || (closing[k][i] == .nextAccounts && !withNextAccounts) { return .infinity }
            guard let c = comparisons[k][i], let (value, threshold) = values(c) else { return EligibilityGap.stepCost }
            return Self.relativeCost(shortfall: Self.shortfall(c.op, value: value, threshold: threshold), value: value, threshold: threshold)
        }
    }

    /// How far `value` must move to meet `value op threshold` (0 for a strict bound it sits on,
    /// or within ``Threshold/tolerance(_:)`` of: it counts as the threshold itself).
    static func shortfall(_ op: ParsedExpression.BinaryOperator, value: Double, threshold: Double) -> Double {
        switch op {
        case .greater: value >= threshold - Threshold.tolerance(threshold) ? 0 : threshold - value
        case .greaterOrEqual: max(0, threshold - value)
        case .less: value <= threshold + Threshold.tolerance(threshold) ? 0 : value - threshold
        case .lessOrEqual: max(0, value - threshold)
        default: 0
        }
    }

    /// A shortfall as the gap text states it ("100万元", "1个百分点"); one smaller than the last
    /// digit shown is "不足0.01个百分点" / "less than 0.01 percentage points", never 0.
    static func amount(_ shortfall: Double, _ unit: Catalog.Unit, _ language: Language) -> String {
        let resolution = EligibilityResult.resolution(unit, language, near: shortfall)
        let small = shortfall > 0 && shortfall < resolution / 2
        let shown = small ? resolution : shortfall
        let text = unit == .percent
            ? Fixed.format(shown * 100, digits: 2) + (language == .zh ? "个百分点" : " percentage points")
            : EligibilityResult.format(shown, unit, language)
        guard small else { return text }
        return language == .zh ? "不足" + text : "less than " + text
    }

    static func relativeCost(shortfall: Double, value: Double, threshold: Double) -> Double {
        let scale = max(abs(threshold), abs(value))
        guard scale > 0, shortfall.isFinite else { return EligibilityGap.stepCost }
        return min(EligibilityGap.stepCost, max(0.01, shortfall / scale))
    }

    /// "all" sums, "any" takes the smallest, over rows.
    static func combine(_ rule: Catalog.Rule, _ costs: [[Double]], _ next: inout Int, rows: Int) -> [Double] {
        rule.fold(costs, &next, rows: rows, all: .init(identity: 0, combine: +), any: .init(identity: .infinity, combine: min))
    }

    /// The nearest way for row `r` to pass offer `k`, with each condition left on it; nil when
    /// the offer passes.
    package func gap(_ result: EligibilityResult, offer k: Int, row r: Int, language: Language) -> EligibilityGap? {
        guard result.status(offer: k, row: r) != .pass else { return nil }
        func nearest(withNextAccounts: Bool) -> (costs: [Double], way: Way) {
            let costs = (0..<comparisons[k].count).map { leafCost(result, offer: k, index: $0, row: r, withNextAccounts: withNextAccounts) }
            var next = 0
            return (costs, walk(evaluator.catalog.offers[k].rule, costs: costs, next: &next, context: nil))
        }
        var (costs, way) = nearest(withNextAccounts: false)
        var accounts: EligibilityGap.NextAccounts?
        if !way.cost.isFinite {
            // No way open now: the nearest one the next accounts could open, if any.
            let later = nearest(withNextAccounts: true)
            if later.way.cost.isFinite {
                (costs, way) = later
                accounts = nextAccounts(result.chunk, row: r, distance: later.way.cost, language: language)
            }
        }
        // What a condition that closes with the next accounts adds to its text.
        let waiting = accounts.map { language == .zh ? "；待\($0.text)方可能补足" : "; can close with \($0.text) at the earliest" }
        let items = way.leaves.map { i, context in
            let failed = result.conditionTruths[k][i][r] == .fail
            var item = item(result, offer: k, index: i, row: r, cost: costs[i], context: context, language: language,
                            suffix: failed && closing[k][i] == .nextAccounts ? waiting : nil)
            if failed {
                item.closes = closing[k][i]
            } else {
                item.missingFields = result.missing(offer: k, index: i, row: r).map { evaluator.schema.fields[$0].label(language) }
            }
            return item
        }
        var gap = EligibilityGap(distance: accounts == nil ? way.cost : .infinity, standards: way.standards.map { language == .zh ? $0.zh : $0.en },
                                 items: items)
        gap.nextAccounts = accounts
        return gap
    }

    /// The next annual accounts of the enterprise in row `r`: those of the year after its
    /// `fiscal_year`, assumed published by about April–May of the year after that
    /// (Models/RULES.md, "Gaps").
    func nextAccounts(_ chunk: RecordChunk, row r: Int, distance: Double, language: Language) -> EligibilityGap.NextAccounts {
        var year: Int?
        if chunk.schema.index(of: "fiscal_year") != nil, case .number(let y) = chunk.value("fiscal_year", row: r) { year = Int(y) + 1 }
        let text: String
        switch (year, language) {
        case (let y?, .zh): text = "\(y)年度财务报表（约\(y + 1)年4—5月公布）"
        case (let y?, .en): text = "the FY\(y) accounts (published around April–May \(y + 1))"
        case (nil, .zh): text = "下一年度财务报表"
        case (nil, .en): text = "the next annual accounts"
        }
        return EligibilityGap.NextAccounts(fiscalYear: year, distance: distance, text: text)
    }

    private struct Way {
        var cost = 0.0
        var standards: [(zh: String, en: String)] = []
        var leaves: [(index: Int, context: (zh: String, en: String)?)] = []
    }

    /// The nearest way through `rule`: all children of an "all", the cheapest child of an "any"
    /// (the first among equals), and the conditions not met on it. Costs are summed first, without
    /// building the ways not taken; only the way taken collects its standards and conditions.
    private func walk(_ rule: Catalog.Rule, costs: [Double], next: inout Int, context: (zh: String, en: String)?) -> Way {
        var way = Way()
        way.cost = collect(rule, costs: costs, next: &next, context: context, into: &way)
        return way
    }

    /// The cost of the nearest way through `rule` (advancing `next` past its conditions).
    private func cost(_ rule: Catalog.Rule, costs: [Double], next: inout Int) -> Double {
        switch rule {
        case .condition:
            defer { next += 1 }
            return costs[next]
        case .all(_, _, _, let children):
            var total = 0.0
            for child in children { total += cost(child, costs: costs, next: &next) }
            return total
        case .any(_, _, _, let children):
            var best = Double.infinity, first = true
            for child in children {
                let c = cost(child, costs: costs, next: &next)
                if first || c < best { best = c; first = false }
            }
            return best
        }
    }

    /// Adds the standards and unmet conditions of the nearest way through `rule` to `way`, in
    /// rule order (an "any"'s chosen alternative before the standards inside it); returns its cost.
    private func collect(_ rule: Catalog.Rule, costs: [Double], next: inout Int, context: (zh: String, en: String)?,
                         into way: inout Way) -> Double {
        switch rule {
        case .condition:
            defer { next += 1 }
            if costs[next] > 0 { way.leaves.append((next, context)) }
            return costs[next]
        case .all(_, _, _, let children):
            var total = 0.0
            for child in children { total += collect(child, costs: costs, next: &next, context: context, into: &way) }
            return total
        case .any(_, _, _, let children):
            // The cheapest alternative (the first among equals), then only that one collected.
            var probe = next, best = 0, bestCost = Double.infinity, bestStart = next
            for (n, child) in children.enumerated() {
                let start = probe
                let c = cost(child, costs: costs, next: &probe)
                if n == 0 || c < bestCost { best = n; bestCost = c; bestStart = start }
            }
            let end = probe
            let child = children[best]
            var label: (zh: String, en: String)?
            if case .all(_, let zh, let en, _) = child { label = (zh, en) }
            // An alternative already met is named as such: "创新层标准一（已满足）".
            if let label { way.standards.append(bestCost == 0 ? (label.zh + "（已满足）", label.en + " (met)") : label) }
            next = bestStart
            _ = collect(child, costs: costs, next: &next, context: context ?? label, into: &way)
            next = end
            return bestCost
        }
    }

    /// Condition `i`'s item on the nearest way, its text ending with `suffix` (before the mark of
    /// an unconfirmed rule).
    private func item(_ result: EligibilityResult, offer k: Int, index i: Int, row r: Int, cost: Double, context: (zh: String, en: String)?,
                      language: Language, suffix: String?) -> EligibilityGap.Item {
        let condition = evaluator.conditions[k][i].condition
        let status = result.conditionTruths[k][i][r]
        let contextText = context.map { language == .zh ? $0.zh : $0.en }
        guard status == .fail, let c = comparisons[k][i],
              let value = evaluator.number(result, slot: c.lhs, row: r), let threshold = evaluator.number(result, slot: c.rhs, row: r) else {
            let reason = result.explain(offer: k, index: i, row: r, status: status, context: contextText, language: language, suffix: suffix)
            return EligibilityGap.Item(conditionID: condition.id, status: status, value: nil, threshold: nil, shortfall: nil, cost: cost, text: reason.text)
        }
        let shortfall = Self.shortfall(c.op, value: value, threshold: threshold)
        let label = language == .zh ? condition.chinese : condition.english
        let upper = c.op == .less || c.op == .lessOrEqual
        let sign = switch c.op {
        case .less: "<"
        case .lessOrEqual: "≤"
        case .greater: ">"
        case .greaterOrEqual: "≥"
        default: c.op.rawValue
        }
        // The value and threshold with enough digits to tell apart, and a shortfall below the
        // display's precision said as such: a failed condition never reads "差 0".
        let (shownValue, shownThreshold) = EligibilityResult.formatApart(value, threshold, c.unit, language)
        var text: String
        if shortfall == 0 {
            // A strict bound the value sits on (`> 0` at 0): no amount to state, only the direction.
            text = language == .zh
                ? "\(label) \(shownValue)，需 \(sign)\(shownThreshold)，须\(upper ? "低" : "高")于此值"
                : "\(label) \(shownValue), needs \(sign) \(shownThreshold): must be \(upper ? "below" : "above") it"
        } else {
            let amount = Self.amount(shortfall, c.unit, language)
            text = language == .zh
                ? "\(label) \(shownValue)，需 \(sign)\(shownThreshold)，\(upper ? "超" : "差")\(amount.hasPrefix("不足") ? "" : " ")\(amount)"
                : "\(label) \(shownValue), needs \(sign) \(shownThreshold): \(amount) \(upper ? "over" : "short")"
        }
        if let contextText { text += language == .zh ? "（\(contextText)）" : " (\(contextText))" }
        if let suffix { text += suffix }
        return EligibilityGap.Item(conditionID: condition.id, status: status, value: value, threshold: threshold, shortfall: shortfall,
                                   cost: cost, text: condition.marked(text, language))
    }
}
