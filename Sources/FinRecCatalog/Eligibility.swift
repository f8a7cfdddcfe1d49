package import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
/// Why an offer is not (or not known to be) open to an enterprise: one condition that failed or
/// could not be decided, in the user's language.
public struct EligibilityReason: Sendable, Equatable {
    public let conditionID: String
    /// `.fail` or `.unknown`.
    package let status: Truth
    /// E.g. "近两年研发投入占比 5.3% < 8%（北交所标准三）".
    public let text: String
    /// For `.unknown`: the fields whose absence leaves the condition undecided.
    public let missingFields: [String]
    public let unconfirmed: Bool
    public let source: String
    /// Undecided because the rule leaves it to a person (not for want of data).
    public let review: Bool
}

/// Evaluates every offer's rule over chunks of enterprises, column-at-a-time, and explains the
/// outcome of any one row. Compiled once per catalog and then only read: a class, shared by every
/// result, gap finder and path finder built on it.
package final class EligibilityEvaluator: Sendable {
    package let catalog: Catalog
    package let schema: RecordSchema
    package let environment: ExpressionEnvironment
    /// A condition with its compiled expression, shared (not copied) wherever a row is explained.
    package final class CompiledCondition: Sendable {
        package let condition: Catalog.Condition
        package let compiled: CompiledExpression
        init(_ condition: Catalog.Condition, _ compiled: CompiledExpression) {
            self.condition = condition
            self.compiled = compiled
        }
    }
    /// Per offer, its conditions in depth-first order, compiled.
    package let conditions: [[CompiledCondition]]
    /// Per offer, per condition: the (offer, condition) where the same condition text first occurs
    /// (itself when it is the first), so that a condition shared by several offers is evaluated once.
    let firstOccurrence: [[(offer: Int, index: Int)]]
    /// Per offer: whether it has a warn condition, and the indices of its `applies` conditions.
    let hasWarnings: [Bool]
    let applicability: [[Int]]
    /// Per offer, per condition: whether another condition of the offer has the same label, so
    /// that their sentences may repeat (only these are checked for a sentence said twice).
    let labelRepeats: [[Bool]]

    /// The two sides of a comparison, compiled as quantities for the explanations, with what the
    /// left side is (a quantity in its unit, a category, a flag, a date).
    package struct Sides: Sendable {
        package let kind: ConditionValueKind?
        /// Slots in ``expressions``; nil where a side does not compile to a number.
        package let lhs: Int?
        package let rhs: Int?
    }
    /// Every expression an explanation reads, numbered for a ``ColumnCache``: the sides of
    /// comparisons, `held` tests and path steps.
    package let expressions: [CompiledExpression]
    /// Per offer, per condition: the sides of a comparison; nil for other conditions.
    package let sides: [[Sides?]]
    /// Per offer: the slot of its `held` test.
    package let heldSlots: [Int?]
    /// Per offer, per path step: the slot of its `done` condition.
    package let stepSlots: [[Int]]

    package init(catalog: Catalog, schema: RecordSchema = EnterpriseSchema.schema) throws(ExpressionError) {
        self.catalog = catalog
        self.schema = schema
        environment = catalog.environment(schema: schema)
        var all: [[(Catalog.Condition, CompiledExpression)]] = []
        for offer in catalog.offers {
            var compiled: [(Catalog.Condition, CompiledExpression)] = []
            for c in offer.rule.conditions {
                compiled.append((c, try CompiledExpression(c.expression, in: environment, boolean: true)))
            }
            all.append(compiled)
        }
        conditions = all.map { $0.map { CompiledCondition($0.0, $0.1) } }
        var firstByText: [String: (offer: Int, index: Int)] = [:]
        firstOccurrence = all.enumerated().map { k, offer in
            offer.enumerated().map { i, item in
                if let first = firstByText[item.0.text] { return first }
                firstByText[item.0.text] = (k, i)
                return (k, i)
            }
        }
        hasWarnings = all.map { $0.contains { $0.0.warn } }
        labelRepeats = all.map { offer in
            offer.map { item in offer.count { $0.0.chinese == item.0.chinese || $0.0.english == item.0.english } > 1 }
        }
        applicability = all.map { offer in offer.indices.filter { offer[$0].0.applicability } }
        var slotted: [CompiledExpression] = []
        let environment = self.environment
        func slot(_ e: CompiledExpression) -> Int { slotted.append(e); return slotted.count - 1 }
        var sides: [[Sides?]] = []
        for offer in catalog.offers {
            sides.append(offer.rule.conditions.map { c -> Sides? in
                guard case .binary(let op, let lhs, let rhs) = c.expression, op.isComparison else { return nil }
                let kind = Self.quantityKind(of: lhs, catalog: catalog, schema: schema)
                let l = (try? CompiledExpression(lhs, in: environment, boolean: false)).map(slot)
                let r = (try? CompiledExpression(rhs, in: environment, boolean: false)).map(slot)
                return Sides(kind: kind, lhs: l, rhs: r)
            })
        }
        self.sides = sides
        // The catalog compiled every `held` test and step when it was read.
        heldSlots = catalog.offers.map { offer in offer.held.map { slot(try! CompiledExpression($0, in: environment, boolean: true)) } }
        stepSlots = catalog.offers.map { offer in
            offer.path.map { slot(try! CompiledExpression($0.done, in: environment, boolean: true)) }
        }
        expressions = slotted
    }

    /// The values of slot `slot` over the result's chunk, evaluated on first use.
    package func number(_ result: EligibilityResult, slot: Int, row r: Int) -> Double? {
        result.columns.number(slot, expressions[slot], row: r)
    }
    package func truth(_ result: EligibilityResult, slot: Int, row r: Int) -> Truth {
        result.columns.truth(slot, expressions[slot], row: r)
    }

    /// Evaluates all offers on `chunk` as of `asOf` (days since 1970-01-01).
    package func evaluate(_ chunk: RecordChunk, asOf: Int) -> EligibilityResult {
        let parameters = ["as_of_date": Double(asOf)]
        var truths: [[[Truth]]] = []
        var statuses: [[Truth]] = []
        // Definitions (age, debt_ratio, …) are computed once per chunk, and a condition that
        // several offers share (e.g. overdue_24m < 6) is evaluated once.
        let memo = EvaluationMemo()
        // Each condition's truths before its review and warn rules, by (offer, condition).
        var raw: [[[Truth]]] = []
        raw.reserveCapacity(catalog.offers.count)
        for (k, offer) in catalog.offers.enumerated() {
            var rawOffer: [[Truth]] = []
            rawOffer.reserveCapacity(conditions[k].count)
            let perCondition: [[Truth]] = conditions[k].enumerated().map { i, item in
                var t: [Truth]
                let first = firstOccurrence[k][i]
                if first.offer != k || first.index != i {
                    t = first.offer == k ? rawOffer[first.index] : raw[first.offer][first.index]
                } else {
                    guard case .truths(let computed) = item.compiled.evaluate(chunk, parameters: parameters, memo: memo) else {
                        preconditionFailure("conditions compile to truths")
                    }
                    t = computed
                }
                rawOffer.append(t)
                // A review condition's failure leaves the offer to a person: undecided; a warning
                // never closes the offer (its failures are kept apart, in `warnings`).
                if item.condition.review { for r in t.indices where t[r] == .fail { t[r] = .unknown } }
                if item.condition.warn { for r in t.indices where t[r] != .pass { t[r] = .pass } }
                return t
            }
            var next = 0
            statuses.append(Self.combine(offer.rule, perCondition, &next, rows: chunk.rowCount))
            truths.append(perCondition)
            raw.append(rawOffer)
        }
        return EligibilityResult(evaluator: self, chunk: chunk, parameters: parameters, statuses: statuses, conditionTruths: truths,
                                 conditionTruthsBeforeRules: raw, columns: ColumnCache(chunk: chunk, parameters: parameters))
    }

    /// Kleene AND / OR of a rule's children, vectorised over rows. `next` walks the conditions in
    /// depth-first order.
    static func combine(_ rule: Catalog.Rule, _ truths: [[Truth]], _ next: inout Int, rows: Int) -> [Truth] {
        // Each operation one inlined loop per child, not a closure call per row.
        let children: [Catalog.Rule], isAll: Bool
        switch rule {
        case .condition:
            defer { next += 1 }
            return truths[next]
        case .all(_, _, _, let c): (children, isAll) = (c, true)
        case .any(_, _, _, let c): (children, isAll) = (c, false)
        }
        var result = [Truth](repeating: isAll ? .pass : .fail, count: rows)
        result.withUnsafeMutableBufferPointer { out in
            for child in children {
                let column = combine(child, truths, &next, rows: rows)
                column.withUnsafeBufferPointer { x in
                    if isAll {
                        for r in 0..<rows { out[r] = out[r] && x[r] }
                    } else {
                        for r in 0..<rows { out[r] = out[r] || x[r] }
                    }
                }
            }
        }
        return result
    }
}

extension EligibilityEvaluator {
    /// The Kleene AND / OR of a rule's children for one row (``combine(_:_:_:rows:)`` for row `r`).
    static func combine(_ rule: Catalog.Rule, _ truths: [[Truth]], _ next: inout Int, row r: Int) -> Truth {
        switch rule {
        case .condition:
            defer { next += 1 }
            return truths[next][r]
        case .all(_, _, _, let children):
            var out = Truth.pass
            for child in children { out = out && combine(child, truths, &next, row: r) }
            return out
        case .any(_, _, _, let children):
            var out = Truth.fail
            for child in children { out = out || combine(child, truths, &next, row: r) }
            return out
        }
    }
}

/// What a condition compares: a quantity in its unit, a category (schema field index), a flag or a date.
package enum ConditionValueKind: Sendable { case quantity(Catalog.Unit), category(Int), flag, date }

extension EligibilityEvaluator {

    /// What the left side of a comparison is: a quantity in a unit, a category, a flag or a date.
    func quantityKind(of e: ParsedExpression) -> ConditionValueKind? { Self.quantityKind(of: e, catalog: catalog, schema: schema) }

    static func quantityKind(of e: ParsedExpression, catalog: Catalog, schema: RecordSchema) -> ConditionValueKind? {
        guard case .column(let name, _) = e else { return .quantity(.number) }
        if let d = catalog.definitions.first(where: { $0.name == name }) { return .quantity(d.unit) }
        guard let i = schema.index(of: name) else { return nil }
        let field = schema.fields[i]
        if let unit = Catalog.Unit.of(field) { return .quantity(unit) }
        switch field.kind {
        case .number, .ratio, .integer: preconditionFailure("quantities have a unit")
        case .flag: return .flag
        case .category: return .category(i)
        case .date: return .date
        case .text, .creditCode: return nil
        }
    }

}

/// The outcome of every offer for every row of one chunk.
package struct EligibilityResult: Sendable {
    let evaluator: EligibilityEvaluator
    let chunk: RecordChunk
    let parameters: [String: Double]
    /// Offer × row.
    package let statuses: [[Truth]]
    /// Offer × condition (depth-first) × row.
    let conditionTruths: [[[Truth]]]
    /// The same before the review and warn rules (a warn condition's own truths); arrays the
    /// rules left alone are shared with ``conditionTruths``.
    let conditionTruthsBeforeRules: [[[Truth]]]
    /// The expressions the explanations read, over the same chunk, evaluated on first use.
    package let columns: ColumnCache

    package func status(offer k: Int, row r: Int) -> Truth { statuses[k][r] }

    /// Why offer `k` is not a pass for row `r`: the failed conditions (for `.fail`) or the
    /// undecided ones with their missing fields (for `.unknown`); empty for `.pass`. A sentence
    /// is said once: two alternatives that ask for the same thing under one standard (科创板
    /// standard 1's "最近一年净利润为正" in both of its profit tests) give it once, for the first.
    package func reasons(offer k: Int, row r: Int, language: Language) -> [EligibilityReason] {
        var said: [String] = [], judged: [Int] = []
        return explainingConditions(offer: k, row: r).compactMap { i, context in
            let reason = explain(offer: k, index: i, row: r, status: statuses[k][r], context: context.map { language == .zh ? $0.zh : $0.en },
                                 language: language)
            guard evaluator.labelRepeats[k][i] else { return reason }
            // A statement left to a person is judged once, whatever alternative asks for it (as
            // ``reviewConditions(offer:row:)`` lists it).
            if reason.review { return firstOfItsLabel(offer: k, i, among: &judged) ? reason : nil }
            // Compared as UTF-8 bytes: hashing a Chinese String normalises it first (measured 12% of
            // the CSV's time in a Set).
            if said.contains(where: { $0.utf8.elementsEqual(reason.text.utf8) }) { return nil }
            said.append(reason.text)
            return reason
        }
    }

    /// Whether condition `i` of offer `k` is the first of its (Chinese) label among `kept`, which
    /// it then joins; true for a label no other condition of the offer has.
    private func firstOfItsLabel(offer k: Int, _ i: Int, among kept: inout [Int]) -> Bool {
        guard evaluator.labelRepeats[k][i] else { return true }
        let label = evaluator.conditions[k][i].condition.chinese.utf8
        if kept.contains(where: { evaluator.conditions[k][$0].condition.chinese.utf8.elementsEqual(label) }) { return false }
        kept.append(i)
        return true
    }

    /// For an undecided offer: the schema fields (indices) whose absence leaves it undecided, in
    /// the order of the rule, each once; empty unless the status is `.unknown`.
    package func missingFields(offer k: Int, row r: Int) -> [Int] {
        guard statuses[k][r] == .unknown else { return [] }
        var seen = Set<Int>()
        return explainingConditions(offer: k, row: r).flatMap { i, _ in missing(offer: k, index: i, row: r) }
            .filter { seen.insert($0).inserted }
    }

    /// The warnings of offer `k` for row `r`: its warn conditions that do not hold (a certificate
    /// expiring within the loan's term), each with the values it read; empty when the offer fails.
    package func warnings(offer k: Int, row r: Int, language: Language) -> [EligibilityReason] {
        // Most offers have no warn condition.
        guard statuses[k][r] != .fail, evaluator.hasWarnings[k] else { return [] }
        return evaluator.conditions[k].enumerated().compactMap { i, item -> EligibilityReason? in
            guard item.condition.warn else { return nil }
            let truth = conditionTruthsBeforeRules[k][i][r]
            guard truth != .pass else { return nil }
            let label = language == .zh ? "未满足「\(item.condition.chinese)」" : "not met: \(item.condition.english)"
            let text = failureSentence(offer: k, index: i, label: label, row: r, language: language, showingFields: item.compiled.fieldsRead)
            return EligibilityReason(conditionID: item.condition.id, status: truth, text: text, missingFields: [],
                                     unconfirmed: item.condition.unconfirmed, source: item.condition.source, review: false)
        }
    }

    /// Whether offer `k` does not apply to row `r`: one of its `applies` conditions fails (an
    /// undecided one leaves the offer applicable, and its status undecided).
    package func notApplicable(offer k: Int, row r: Int) -> Bool {
        evaluator.applicability[k].contains { conditionTruths[k][$0][r] == .fail }
    }

    /// Why offer `k` does not apply to row `r`: its failed `applies` conditions, with the values
    /// they read ("有30日内到期的流动资金贷款（30日内到期贷款金额 0.00万元）"); empty when it applies.
    package func notApplicableReasons(offer k: Int, row r: Int, language: Language) -> [EligibilityReason] {
        evaluator.applicability[k].compactMap { i -> EligibilityReason? in
            let item = evaluator.conditions[k][i]
            guard conditionTruths[k][i][r] == .fail else { return nil }
            let label = language == .zh ? "「\(item.condition.chinese)」不成立" : "not so: \(item.condition.english)"
            let text = item.condition.marked(failureSentence(offer: k, index: i, label: label, row: r, language: language,
                                                             showingFields: item.compiled.fieldsRead, plain: true), language)
            return EligibilityReason(conditionID: item.condition.id, status: .fail, text: text, missingFields: [],
                                     unconfirmed: item.condition.unconfirmed, source: item.condition.source, review: false)
        }
    }

    /// For an undecided offer: the review conditions (depth-first indices) that leave it to a
    /// person rather than to missing data; empty unless the status is `.unknown`. A statement
    /// asked for twice (科创板 standard 5's approvals, also the way out of the revenue indicator)
    /// is listed once, as a person judges it once.
    package func reviewConditions(offer k: Int, row r: Int) -> [Int] {
        guard statuses[k][r] == .unknown else { return [] }
        var judged: [Int] = []
        return explainingConditions(offer: k, row: r).map(\.index)
            .filter { evaluator.conditions[k][$0].condition.review && missing(offer: k, index: $0, row: r).isEmpty }
            .filter { firstOfItsLabel(offer: k, $0, among: &judged) }
    }

    /// The conditions (depth-first indices) that make offer `k`'s status for row `r` what it is,
    /// each with the alternative of an "any" it belongs to (its Chinese and English labels).
    private func explainingConditions(offer k: Int, row r: Int) -> [(index: Int, context: (zh: String, en: String)?)] {
        let target = statuses[k][r]
        guard target != .pass else { return [] }
        var out: [(index: Int, context: (zh: String, en: String)?)] = []
        var next = 0
        collect(evaluator.catalog.offers[k].rule, offer: k, row: r, want: target, context: nil, into: &out, next: &next)
        return out
    }

    /// Walks the rule and collects the children that make the node's value `want`.
    private func collect(_ rule: Catalog.Rule, offer k: Int, row r: Int, want: Truth, context: (zh: String, en: String)?,
                         into out: inout [(index: Int, context: (zh: String, en: String)?)], next: inout Int) {
        switch rule {
        case .condition:
            let i = next
            next += 1
            if conditionTruths[k][i][r] == want { out.append((i, context)) }
        case .all(_, _, _, let children), .any(_, _, _, let children):
            let isAny: Bool
            if case .any = rule { isAny = true } else { isAny = false }
            for child in children {
                // The children of an "any" are alternatives: name them in the reasons below them.
                var childContext = context
                if isAny, context == nil, case .all(_, let zh, let en, _) = child { childContext = (zh, en) }
                var probe = next
                let value = EligibilityEvaluator.combine(child, conditionTruths[k], &probe, row: r)
                if value == want {
                    collect(child, offer: k, row: r, want: want, context: childContext, into: &out, next: &next)
                } else {
                    next = probe
                }
            }
        }
    }

    /// The fields condition `i` of offer `k` reads that row `r` lacks.
    func missing(offer k: Int, index i: Int, row r: Int) -> [Int] {
        evaluator.conditions[k][i].compiled.fieldsRead.filter { chunk.value(field: $0, row: r) == .missing }
    }

    /// Why condition `i` of offer `k` has `status` in row `r`, its text ending with `context` (the
    /// alternative it belongs to) and `suffix`, then the mark of an unconfirmed rule.
    func explain(offer k: Int, index i: Int, row r: Int, status: Truth, context: String?,
                 language: Language, suffix: String? = nil) -> EligibilityReason {
        let c = evaluator.conditions[k][i]
        let label = language == .zh ? c.condition.chinese : c.condition.english
        var text: String
        var missing: [String] = []
        let absent = status == .unknown ? self.missing(offer: k, index: i, row: r) : []
        let review = status == .unknown && c.condition.review && absent.isEmpty
        if review {
            text = c.condition.manual ? label : failureSentence(offer: k, index: i, label: label, row: r, language: language,
                                                      showingFields: evaluator.conditions[k][i].compiled.fieldsRead)
            text += language == .zh ? "：需人工判断" : ": for a person to judge"
        } else if status == .unknown, !absent.isEmpty {
            missing = absent.map { evaluator.schema.fields[$0].label(language) }
            let fields = missing.joined(separator: language == .zh ? "、" : ", ")
            let asked = requirement(offer: k, index: i, language: language)
            text = language == .zh ? "\(label)\(asked)：无法判断，缺少 \(fields)" : "\(label)\(asked): cannot tell, missing \(fields)"
        } else if status == .unknown {
            // Every field is there but the value cannot be computed (a ratio over a zero total):
            // name the fields and their values, never an empty "缺少".
            let fields = evaluator.conditions[k][i].compiled.fieldsRead
                .map { "\(evaluator.schema.fields[$0].label(language)) \(display(field: $0, row: r, language))" }
                .joined(separator: language == .zh ? "、" : ", ")
            let asked = requirement(offer: k, index: i, language: language)
            text = language == .zh ? "\(label)\(asked)：无法判断，无法由 \(fields) 计算" : "\(label)\(asked): cannot tell, not computable from \(fields)"
        } else {
            text = failureSentence(offer: k, index: i, label: label, row: r, language: language)
        }
        if let context { text += language == .zh ? "（\(context)）" : " (\(context))" }
        if let suffix { text += suffix }
        return EligibilityReason(conditionID: c.condition.id, status: status, text: c.condition.marked(text, language), missingFields: missing, unconfirmed: c.condition.unconfirmed, source: c.condition.source,
                                 review: review)
    }

    /// "（需 ≥5%）" / " (needs ≥ 5%)": what a comparison of a quantity with a number asks for, said
    /// where the value is unknown (so two undecided conditions on one label, 科创板's R&D ratio of 5%
    /// and a software firm's of 10%, read apart); empty for any other condition, or where the label
    /// states the threshold.
    private func requirement(offer k: Int, index i: Int, language: Language) -> String {
        guard case .binary(let op, _, .number(let threshold)) = evaluator.conditions[k][i].condition.expression,
              [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(op), case .quantity(let unit)? = evaluator.sides[k][i]?.kind else { return "" }
        let bound = Self.format(threshold, unit, language)
        // A label that states its threshold ("质押专利剩余有效期不少于5年") says it already.
        let label = language == .zh ? evaluator.conditions[k][i].condition.chinese : evaluator.conditions[k][i].condition.english
        guard !label.contains(bound) else { return "" }
        return language == .zh ? "（需 \(op.sign)\(bound)）" : " (needs \(op.sign) \(bound))"
    }

    /// "近两年研发投入占比 5.3% < 8%" for a comparison of a quantity with a number; the label alone
    /// ("…：不满足") where the condition is not such a comparison, or with `showingFields` the label
    /// and the values of the fields it reads ("不属于原则上不支持的行业（行业代码 C15）").
    /// With `plain`, the label and the fields' values only, whatever the condition.
    func failureSentence(offer k: Int, index i: Int, label: String, row r: Int, language: Language, showingFields fields: [Int] = [],
                         plain: Bool = false) -> String {
        let c = evaluator.conditions[k][i]
        // The label with the fields' values, or "not met": made only when it is the answer.
        var notMet: String {
            let values = fields.map { field in
                "\(language == .zh ? evaluator.schema.fields[field].chineseName : evaluator.schema.fields[field].name) \(display(field: field, row: r, language))"
            }
            return !values.isEmpty
                ? label + (language == .zh ? "（\(values.joined(separator: "，"))）" : " (\(values.joined(separator: ", ")))")
                : language == .zh ? "\(label)：不满足" : "\(label): not met"
        }
        guard !plain else { return notMet }
        guard case .binary(let op, _, let rhs) = c.condition.expression, op.isComparison, let sides = evaluator.sides[k][i] else { return notMet }
        guard let unit = sides.kind else { return notMet }
        guard let lhsSlot = sides.lhs, let value = evaluator.number(self, slot: lhsSlot, row: r) else { return notMet }
        switch (unit, rhs) {
        case (.category(let field), .string(let s, _)):
            guard case .category(let options) = evaluator.schema.fields[field].kind, Int(value) < options.count else { return notMet }
            let actual = options[Int(value)]
            _ = s
            return language == .zh ? "\(label)：实际为\(actual.chinese)" : "\(label): is \(actual.code)"
        case (.date, .column("as_of_date", _)):
            let date = CivilDate(daysSinceEpoch: Int(value)).iso
            let asOf = parameters["as_of_date"].map { CivilDate(daysSinceEpoch: Int($0)).iso } ?? "?"
            return language == .zh ? "\(label)：有效期至 \(date)，早于评估日 \(asOf)" : "\(label): valid until \(date), before the assessment date \(asOf)"
        case (.flag, _):
            return notMet
        case (.quantity(let u), .number(let threshold)):
            // Enough digits that a value just short of the threshold does not read as equal to it.
            let (shown, bound) = Self.formatApart(value, threshold, u, language)
            return "\(label) \(shown) \(op.negated == .equal ? "=" : op.negated.rawValue) \(bound)"
        case (.quantity(let u), _):
            // A comparison with another quantity: show both sides.
            guard let rhsSlot = sides.rhs, let other = evaluator.number(self, slot: rhsSlot, row: r) else { return notMet }
            let (shown, bound) = Self.formatApart(value, other, u, language)
            return "\(label) \(shown) \(op.negated.rawValue) \(bound)"
        default:
            return notMet
        }
    }

    /// A field's value in row `r` as a person reads it: a category's name, a quantity in its unit.
    private func display(field i: Int, row r: Int, _ language: Language) -> String {
        let spec = evaluator.schema.fields[i]
        switch chunk.value(field: i, row: r) {
        case .missing: return language == .zh ? "缺失" : "missing"
        case .text(let t): return t
        case .number(let x):
            if case .category(let options) = spec.kind, Int(x) < options.count { return language == .zh ? options[Int(x)].chinese : options[Int(x)].code }
            if case .date = spec.kind { return CivilDate(daysSinceEpoch: Int(x)).iso }
            return Catalog.Unit.of(spec).map { Self.format(x, $0, language) } ?? Fixed.format(x, digits: 4)
        }
    }


    /// A value in its unit: 万元 amounts as 万/亿 (Chinese) or CNY m (English), ratios as percent;
    /// `extraDigits` more decimals than usual.
    package static func format(_ x: Double, _ unit: Catalog.Unit, _ language: Language, extraDigits: Int = 0) -> String {
        switch unit {
        case .money:
            if language == .en { return "CNY \(Fixed.format(x / 100, digits: 2 + extraDigits))m" }
            return abs(x) >= 10_000 ? "\(Fixed.format(x / 10_000, digits: 2 + extraDigits))亿元" : "\(Fixed.format(x, digits: 2 + extraDigits))万元"
        case .percent: return "\(Fixed.format(x * 100, digits: 2 + extraDigits))%"
        case .years: return language == .zh ? "\(Fixed.format(x, digits: 1 + extraDigits))年" : "\(Fixed.format(x, digits: 1 + extraDigits)) years"
        case .count, .number: return Fixed.format(x, digits: 4 + extraDigits)
        }
    }

    /// `x` and `y` in their unit with the fewest extra decimals (up to 12) that show them apart
    /// when they differ: a value that fails its threshold by less than the usual precision reads
    /// "19.9999997% < 20%", not "20% < 20%".
    static func formatApart(_ x: Double, _ y: Double, _ unit: Catalog.Unit, _ language: Language) -> (String, String) {
        var extra = 0
        while true {
            let a = format(x, unit, language, extraDigits: extra), b = format(y, unit, language, extraDigits: extra)
            if a != b || x == y || extra == 12 { return (a, b) }
            extra += 1
        }
    }

    /// The smallest amount near `x` that ``format(_:_:_:extraDigits:)`` tells from zero: one unit
    /// in its last decimal, in the unit's own terms (a fraction for percentages, 万元 for money).
    static func resolution(_ unit: Catalog.Unit, _ language: Language, near x: Double) -> Double {
        switch unit {
        case .money: language == .en ? 1 : abs(x) >= 10_000 ? 100 : 0.01
        case .percent: 0.0001
        case .years: 0.1
        case .count, .number: 0.0001
        }
    }
}

extension Catalog.Unit {
    /// The unit a quantity field is shown in: 万元 amounts as money, years, ratios as percent,
    /// whole numbers as counts, other numbers plain; nil for fields that are not quantities.
    package static func of(_ field: FieldSpec) -> Catalog.Unit? {
        switch field.kind {
        case .number(_, let unit): unit == "万元" ? .money : unit == "years" ? .years : .number
        case .ratio: .percent
        case .integer: .count
        default: nil
        }
    }
}

extension ParsedExpression.BinaryOperator {
    /// An order comparison as a reader writes it: "<", "≤", ">", "≥" (any other as in the catalog).
    var sign: String {
        switch self {
        case .less: "<"
        case .lessOrEqual: "≤"
        case .greater: ">"
        case .greaterOrEqual: "≥"
        default: rawValue
        }
    }
}
