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
/// One fact can sit at several places of a rule: 科创板's exceptions (a national award, 50 invention
/// patents) exempt a firm from both the 科创属性 indicators and the revenue indicator, so
/// `invention_patents >= 50` is a condition of each. Meeting the fact once meets every copy, so a
/// way through several copies counts the fact once (``GapFinder/sharedFacts``), and lists it once.
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
    /// Per offer: the groups of conditions (depth-first indices, in rule order) that state one fact
    /// (the same expression text and flags) and can lie on one way together (two of them under an
    /// "all"), from ``sharedFacts(of:)``. A way through several of a group's conditions meets the
    /// fact once: it costs once and is listed once.
    let sharedFacts: [[[Int]]]
    /// Per offer: its rule flattened for costing blocks of rows.
    let programs: [CostProgram]

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
        sharedFacts = evaluator.catalog.offers.map { Self.sharedFacts(of: $0.rule) }
        programs = evaluator.catalog.offers.map { CostProgram($0.rule) }
    }

    /// A rule flattened for costing a block of rows at once: an "all" adds its children's costs,
    /// an "any" takes the least, in the order of ``cost(_:costs:next:)`` (the same sums, so the
    /// same bits), each step a loop over the block.
    struct CostProgram: Sendable {
        enum Op: Sendable {
            /// A rule begins: its running value starts at 0 ("all") or infinity ("any").
            case open(all: Bool)
            /// Condition `i` (depth first) into the running value of the innermost open rule.
            case condition(Int)
            /// The innermost rule ends: its value goes into its parent's (or is the result).
            case close
        }
        let ops: [Op]
        /// The deepest nesting of rules.
        let depth: Int

        init(_ rule: Catalog.Rule) {
            // Inside an outer "all" (0 + the rule's cost is that cost, to the bit), so that a rule
            // of one condition needs no case of its own.
            var ops: [Op] = [.open(all: true)], next = 0, depth = 1
            func add(_ rule: Catalog.Rule, level: Int) {
                switch rule {
                case .condition:
                    ops.append(.condition(next))
                    next += 1
                case .all(_, _, _, let children), .any(_, _, _, let children):
                    var all = false
                    if case .all = rule { all = true }
                    depth = max(depth, level + 1)
                    ops.append(.open(all: all))
                    for child in children { add(child, level: level + 1) }
                    ops.append(.close)
                }
            }
            add(rule, level: 1)
            ops.append(.close)
            self.ops = ops
            self.depth = depth
        }

        /// The cost of one row whose condition `i` costs `costs[i]`: the same operations in the
        /// same order as ``run(costs:fixed:rows:into:scratch:)`` on a block (so the same bits).
        func cost(_ costs: [Double]) -> Double {
            withUnsafeTemporaryAllocation(of: (value: Double, adds: Bool).self, capacity: depth) { open in
                var level = -1, result = 0.0
                for op in ops {
                    switch op {
                    case .open(let all):
                        level += 1
                        open[level] = (all ? 0 : .infinity, all)
                    case .condition(let i):
                        open[level].value = open[level].adds ? open[level].value + costs[i] : min(open[level].value, costs[i])
                    case .close:
                        let value = open[level].value
                        level -= 1
                        if level < 0 { result = value } else {
                            open[level].value = open[level].adds ? open[level].value + value : min(open[level].value, value)
                        }
                    }
                }
                return result
            }
        }

        /// The cost of `rows` into `out`: condition `i` costs `costs[i]`, or `fixed[i]` where set.
        /// `scratch` holds `depth` running values of `rows.count` each.
        func run(costs: [[Double]], fixed: [Double?], rows: Range<Int>, into out: UnsafeMutablePointer<Double>,
                 scratch: UnsafeMutablePointer<Double>) {
            let n = rows.count
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: depth) { adds in
                var level = -1
                for op in ops {
                    switch op {
                    case .open(let all):
                        level += 1
                        adds[level] = all
                        (scratch + level * n).update(repeating: all ? 0 : .infinity, count: n)
                    case .condition(let i):
                        let value = scratch + level * n
                        if let c = fixed[i] {
                            if adds[level] { for j in 0..<n { value[j] += c } } else { for j in 0..<n { value[j] = min(value[j], c) } }
                        } else {
                            costs[i].withUnsafeBufferPointer { column in
                                let cost = column.baseAddress! + rows.lowerBound
                                if adds[level] { for j in 0..<n { value[j] += cost[j] } } else { for j in 0..<n { value[j] = min(value[j], cost[j]) } }
                            }
                        }
                    case .close:
                        let value = scratch + level * n
                        level -= 1
                        if level < 0 {
                            out.update(from: value, count: n)
                        } else {
                            let parent = scratch + level * n
                            if adds[level] { for j in 0..<n { parent[j] += value[j] } } else { for j in 0..<n { parent[j] = min(parent[j], value[j]) } }
                        }
                    }
                }
            }
        }
    }

    /// The groups of `rule`'s conditions (depth-first indices) that state the same fact and can
    /// both lie on one way: the same ``fact(_:)`` (an `applies` condition rules the offer out
    /// rather than away, and is left alone), and two of them whose innermost common rule is an
    /// "all" (under an "any" they are alternatives, never on one way together). Beyond the first ``maximumSharedFacts``
    /// groups, a way counts each copy.
    static func sharedFacts(of rule: Catalog.Rule) -> [[Int]] {
        // Each condition's rules, outermost first: (preorder number, whether it is an "all").
        var paths: [[(node: Int, all: Bool)]] = [], conditions: [Catalog.Condition] = []
        var nodes = 0
        func visit(_ rule: Catalog.Rule, _ path: [(node: Int, all: Bool)]) {
            switch rule {
            case .condition(let c):
                conditions.append(c)
                paths.append(path)
            case .all(_, _, _, let children), .any(_, _, _, let children):
                nodes += 1
                var isAll = false
                if case .all = rule { isAll = true }
                let inner = path + [(nodes, isAll)]
                for child in children { visit(child, inner) }
            }
        }
        visit(rule, [])
        var byFact: [String: [Int]] = [:], order: [String] = []
        for (i, c) in conditions.enumerated() where !c.applicability {
            let key = Self.fact(c)
            if byFact[key] == nil { order.append(key) }
            byFact[key, default: []].append(i)
        }
        func together(_ a: Int, _ b: Int) -> Bool {
            zip(paths[a], paths[b]).prefix { $0.node == $1.node }.last?.0.all ?? false
        }
        let groups = order.compactMap { key -> [Int]? in
            let g = byFact[key]!
            for x in g.indices { for y in g.indices where y > x && together(g[x], g[y]) { return g } }
            return nil
        }
        return groups.count <= maximumSharedFacts ? groups : Array(groups.prefix(maximumSharedFacts))
    }

    /// What makes two conditions one fact: the same expression text and review, warn and fixed
    /// flags; for a manual condition (a person's judgement), the same statement to judge.
    static func fact(_ c: Catalog.Condition) -> String {
        c.manual ? "manual\u{1F}\(c.chinese)\u{1F}\(c.english)" : "\(c.text)\u{1F}\(c.review)\(c.warn)\(c.fixed)"
    }

    /// At most this many shared facts per offer are counted once (the nearest way is searched over
    /// 2^n choices); the shipped catalog has at most 5 (科创板: revenue of 3亿, standard 5's market
    /// value and approvals, the national award, 50 invention patents).
    static let maximumSharedFacts = 8

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
        let program = programs[k], facts = sharedFacts[k]
        var distances = [Double](repeating: 0, count: rows)
        // Blocks of rows small enough for the running values of every open rule to stay in cache.
        let block = 256
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: (program.depth + 1) * block)
        defer { scratch.deallocate() }
        var fixed = [Double?](repeating: nil, count: costs.count)
        var nearest = [Double](repeating: 0, count: block), ways = [Double](repeating: 0, count: block)
        for start in stride(from: 0, to: rows, by: block) {
            let n = min(block, rows - start)
            distances.withUnsafeMutableBufferPointer { out in
                program.run(costs: costs, fixed: fixed, rows: start..<start + n, into: out.baseAddress! + start, scratch: scratch)
            }
            // Only a row with a shared fact it has yet to meet (and can) may be nearer than the sum.
            guard facts.contains(where: { fact in (start..<start + n).contains { costs[fact[0]][$0] > 0 && costs[fact[0]][$0].isFinite } }) else { continue }
            // Each choice of the facts met (their conditions free, each paid once) or not (closed),
            // in the order and sums ``gap(_:offer:row:language:)`` uses.
            for j in 0..<n { nearest[j] = .infinity }
            for used in 0..<(1 << facts.count) {
                for (g, fact) in facts.enumerated() { for i in fact { fixed[i] = used & (1 << g) != 0 ? 0 : .infinity } }
                ways.withUnsafeMutableBufferPointer { w in
                    program.run(costs: costs, fixed: fixed, rows: start..<start + n, into: w.baseAddress!, scratch: scratch)
                }
                for j in 0..<n {
                    var paid = 0.0
                    for (g, fact) in facts.enumerated() where used & (1 << g) != 0 { paid += costs[fact[0]][start + j] }
                    nearest[j] = min(nearest[j], ways[j] + paid)
                }
            }
            for i in fixed.indices { fixed[i] = nil }
            for j in 0..<n where Self.nearer(nearest[j], than: distances[start + j]) { distances[start + j] = nearest[j] }
        }
        return distances
    }

    /// Whether a way that counts each shared fact once, at `distance`, is nearer than the sum over
    /// every copy, `summed`: by more than rounding, so that a row without a fact met twice keeps
    /// the sum's bits (a saving is at least 0.01, the least cost of a condition).
    static func nearer(_ distance: Double, than summed: Double) -> Bool {
        summed.isFinite && distance < summed - 1e-9 * max(1, summed)
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

    /// The nearest way for row `r` to pass offer `k`, with each condition left on it; nil when
    /// the offer passes.
    package func gap(_ result: EligibilityResult, offer k: Int, row r: Int, language: Language) -> EligibilityGap? {
        guard result.status(offer: k, row: r) != .pass else { return nil }
        func nearest(withNextAccounts: Bool) -> (costs: [Double], way: Way) {
            let costs = (0..<comparisons[k].count).map { leafCost(result, offer: k, index: $0, row: r, withNextAccounts: withNextAccounts) }
            let rule = evaluator.catalog.offers[k].rule
            var next = 0
            let summed = walk(rule, costs: costs, shown: costs, next: &next, context: nil)
            let facts = sharedFacts[k]
            guard facts.contains(where: { costs[$0[0]] > 0 && costs[$0[0]].isFinite }) else { return (costs, summed) }
            // Each choice of the facts met (their conditions free, each paid once) or not (closed),
            // in the order and sums ``distances(_:offer:)`` uses; the nearest way is then walked.
            var best = (distance: Double.infinity, costs: costs)
            for used in 0..<(1 << facts.count) {
                var modified = costs, paid = 0.0
                for (g, fact) in facts.enumerated() {
                    let meets = used & (1 << g) != 0
                    if meets { paid += costs[fact[0]] }
                    for i in fact { modified[i] = meets ? 0 : .infinity }
                }
                let distance = programs[k].cost(modified) + paid
                if distance < best.distance { best = (distance, modified) }
            }
            guard Self.nearer(best.distance, than: summed.cost) else { return (costs, summed) }
            // The way those choices take, its conditions listed by their own costs (a fact it
            // meets at each of its conditions; listed once below).
            next = 0
            var way = walk(rule, costs: best.costs, shown: costs, next: &next, context: nil)
            way.cost = best.distance
            return (costs, way)
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
        // A shared fact on the way is listed once, at its first condition (also on a way out of
        // reach, which keeps its sum: no way is nearer than infinity).
        var listed: [Int] = []
        let leaves = way.leaves.filter { i, _ in
            guard let fact = sharedFacts[k].firstIndex(where: { $0.contains(i) }) else { return true }
            if listed.contains(fact) { return false }
            listed.append(fact)
            return true
        }
        let items = leaves.map { i, context in
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
    /// The way is chosen by `costs`; a condition on it is listed where `shown` (its own cost) is
    /// above 0 (`costs` makes the conditions of a shared fact the way meets free).
    private func walk(_ rule: Catalog.Rule, costs: [Double], shown: [Double], next: inout Int, context: (zh: String, en: String)?) -> Way {
        var way = Way()
        way.cost = collect(rule, costs: costs, shown: shown, next: &next, context: context, into: &way)
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
    private func collect(_ rule: Catalog.Rule, costs: [Double], shown: [Double], next: inout Int, context: (zh: String, en: String)?,
                         into way: inout Way) -> Double {
        switch rule {
        case .condition:
            defer { next += 1 }
            if shown[next] > 0 { way.leaves.append((next, context)) }
            return costs[next]
        case .all(_, _, _, let children):
            var total = 0.0
            for child in children { total += collect(child, costs: costs, shown: shown, next: &next, context: context, into: &way) }
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
            _ = collect(child, costs: costs, shown: shown, next: &next, context: context ?? label, into: &way)
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
        let sign = c.op.sign
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
