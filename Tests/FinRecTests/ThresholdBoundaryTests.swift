@testable import FinRec
import Foundation
import Testing

/// An exact rational whose numerator and denominator are decimals (Foundation's `Decimal`: 38
/// digits, exact for the sums and products of the few-decimal values used here). The reference
/// the engine's floating-point decisions are checked against.
struct ExactRational: Equatable {
    var numerator: Decimal
    /// Positive.
    var denominator: Decimal

    init(_ x: Decimal) { (numerator, denominator) = (x, 1) }
    init(_ n: Decimal, over d: Decimal) {
        precondition(d != 0)
        (numerator, denominator) = d < 0 ? (-n, -d) : (n, d)
    }

    static func + (a: Self, b: Self) -> Self { Self(a.numerator * b.denominator + b.numerator * a.denominator, over: a.denominator * b.denominator) }
    static func - (a: Self, b: Self) -> Self { Self(a.numerator * b.denominator - b.numerator * a.denominator, over: a.denominator * b.denominator) }
    static func * (a: Self, b: Self) -> Self { Self(a.numerator * b.numerator, over: a.denominator * b.denominator) }
    /// nil for division by zero (the engine's missing).
    static func / (a: Self, b: Self) -> Self? { b.numerator == 0 ? nil : Self(a.numerator * b.denominator, over: a.denominator * b.numerator) }
    /// -1, 0 or 1 as `a` is below, at or above `b`, exactly.
    static func order(_ a: Self, _ b: Self) -> Int {
        let d = a.numerator * b.denominator - b.numerator * a.denominator
        return d == 0 ? 0 : d < 0 ? -1 : 1
    }
    static func == (a: Self, b: Self) -> Bool { order(a, b) == 0 }

    /// The exact square root when it is a decimal of at most 12 places, else nil.
    var squareRoot: Self? {
        let product = numerator * denominator  // √(n/d) = √(n·d)/d
        guard product >= 0 else { return nil }
        var candidate = Decimal(NSDecimalNumber(decimal: product).doubleValue.squareRoot())
        // The double root is within a few units of the 16th digit: the exact one, if a decimal
        // of at most 12 places, is its rounding to some number of places.
        for places in 0...12 {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &candidate, places, .plain)
            if rounded * rounded == product { return Self(rounded, over: denominator) }
        }
        return nil
    }

    var decimalText: String { "\(numerator)/\(denominator)" }
}

/// Evaluates a parsed expression exactly over decimal field values, independently of the engine:
/// rationals for arithmetic, exact comparisons for `if`. Only what the catalog's quantities use.
struct ExactEvaluator {
    let definitions: [String: ParsedExpression]
    let values: [String: Decimal]

    enum Failure: Error { case unsupported(String), missing(String), inexact(String) }

    func number(_ e: ParsedExpression) throws -> ExactRational {
        switch e {
        case .number(let x): return ExactRational(Decimal(string: "\(x)")!)
        case .column(let name, _):
            if let v = values[name] { return ExactRational(v) }
            if let d = definitions[name] { return try number(d) }
            throw Failure.missing(name)
        case .unary(.negate, let x): return ExactRational(0) - (try number(x))
        case .binary(let op, let a, let b) where op.isArithmetic:
            let x = try number(a), y = try number(b)
            switch op {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            default:
                guard let q = x / y else { throw Failure.missing("division by zero") }
                return q
            }
        case .call("sqrt", let args, _):
            guard let root = try number(args[0]).squareRoot else { throw Failure.inexact("sqrt of \(e)") }
            return root
        case .call("if", let args, _):
            return try truth(args[0]) ? try number(args[1]) : try number(args[2])
        case .call(let name, let args, _) where name == "max" || name == "min":
            var best = try number(args[0])
            for a in args.dropFirst() {
                let x = try number(a)
                if ExactRational.order(x, best) == (name == "max" ? 1 : -1) { best = x }
            }
            return best
        default:
            throw Failure.unsupported("\(e)")
        }
    }

    func truth(_ e: ParsedExpression) throws -> Bool {
        guard case .binary(let op, let a, let b) = e, op.isComparison else { throw Failure.unsupported("\(e)") }
        return Self.holds(op, ExactRational.order(try number(a), try number(b)))
    }

    /// Whether `x op y` holds when x is below (-1), at (0) or above (1) y.
    static func holds(_ op: ParsedExpression.BinaryOperator, _ order: Int) -> Bool {
        switch op {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        default: order >= 0
        }
    }
}

/// Every comparison of the shipped catalog with a number (in offers' rules, held tests, path
/// steps and definitions), found by walking the expressions, so conditions added later are
/// covered too: the quantity put exactly at the published decimal, one unit past and one unit
/// short, through the JSON reader (so values are the doubles nearest the decimals, as in real
/// input), the engine's truth against the exact one.
@Suite("Thresholds compared as the decimals they are")
struct ThresholdBoundaryTests {
    /// A comparison `quantity op threshold` found in the catalog, the threshold on the right.
    struct Found: CustomStringConvertible {
        let place: String
        let op: ParsedExpression.BinaryOperator
        let quantity: ParsedExpression
        let threshold: Decimal
        let expression: ParsedExpression
        var description: String { "\(place): \(quantity) \(op.rawValue) \(threshold)" }
    }

    static func comparisons(in catalog: Catalog) -> [Found] {
        var found: [Found] = []
        func walk(_ e: ParsedExpression, _ place: String) {
            switch e {
            case .binary(let op, let a, let b):
                if op.isComparison, let (quantity, op, c) = normalised(op, a, b) {
                    found.append(Found(place: place, op: op, quantity: quantity, threshold: Decimal(string: "\(c)")!, expression: .binary(op, quantity, .number(c))))
                }
                walk(a, place)
                walk(b, place)
            case .unary(_, let x): walk(x, place)
            case .call(_, let args, _): args.forEach { walk($0, place) }
            default: break
            }
        }
        for d in catalog.definitions { walk(d.expression, "definition \(d.name)") }
        for offer in catalog.offers {
            for c in offer.rule.conditions { walk(c.expression, "\(offer.id).\(c.id)") }
            if let held = offer.held { walk(held, "\(offer.id) held") }
            for step in offer.path { walk(step.done, "\(offer.id) path \(step.id)") }
        }
        return found
    }

    /// `a op b` as `quantity op' c` when exactly one side is a written number.
    static func normalised(_ op: ParsedExpression.BinaryOperator, _ a: ParsedExpression, _ b: ParsedExpression)
        -> (ParsedExpression, ParsedExpression.BinaryOperator, Double)? {
        switch (ExpressionCompiler.literal(a), ExpressionCompiler.literal(b)) {
        case (nil, let c?): (a, op, c)
        case (let c?, nil): (b, op.swapped, c)
        default: nil
        }
    }

    // MARK: Putting a quantity at a value

    /// Field values (decimals) that give `quantity` exactly the value `t`, and the value of
    /// `as_of_date` when the quantity is the assessment date; nil when no recipe applies to it.
    /// The bases are not round, so the engine's sums and quotients do round.
    static func recipe(for quantity: ParsedExpression, value t: Decimal, catalog: Catalog) -> [String: Decimal]? {
        if let points = pointsRecipe(for: quantity, value: t, catalog: catalog) { return points }
        guard case .column(let name, _) = quantity else { return nil }
        if name == "as_of_date" { return ["as_of_date": t] }
        if EnterpriseSchema.schema.index(of: name) != nil { return [name: t] }
        switch name {
        case "age": return ["fiscal_year": 2025, "founding_year": 2025 - t]
        case "debt_ratio": return ["total_assets": 8_765.4, "total_liabilities": t * 8_765.4]
        case "rd_ratio_1y": return ["revenue_y1": 8_765.4, "rd_expense_y1": t * 8_765.4]
        case "rd_ratio_prev": return ["revenue_y2": 5_432.1, "rd_expense_y2": t * 5_432.1]
        case "rd_ratio_2y": return ["revenue_y1": 8_765.4, "revenue_y2": 5_432.1, "rd_expense_y1": t * 8_765.4, "rd_expense_y2": t * 5_432.1]
        case "rd_ratio_3y":
            return ["revenue_y1": 8_765.4, "revenue_y2": 5_432.1, "revenue_y3": 3_333.3,
                    "rd_expense_y1": t * 8_765.4, "rd_expense_y2": t * 5_432.1, "rd_expense_y3": t * 3_333.3]
        case "rd_total_2y": return ["rd_expense_y2": 123.45, "rd_expense_y1": t - 123.45]
        case "rd_total_3y": return ["rd_expense_y3": 111.11, "rd_expense_y2": 222.22, "rd_expense_y1": t - 333.33]
        case "revenue_avg_2y": return ["revenue_y2": 1_234.56, "revenue_y1": 2 * t - 1_234.56]
        // The reviewer's firm: 3000万 → 3600万 is 20%.
        case "revenue_growth_1y": return ["revenue_y2": 3_000, "revenue_y1": 3_000 * (1 + t)]
        case "revenue_cagr_3y": return ["revenue_y3": 1_600, "revenue_y1": 1_600 * (1 + t) * (1 + t)]
        case "net_profit_2y": return ["net_profit_y2": 400.01, "net_profit_y1": t - 400.01]
        case "roe_avg_2y": return ["weighted_roe_y2": t - 0.0123, "weighted_roe_y1": t + 0.0123]
        case "cash_flow_3y": return ["operating_cash_flow_y3": -500.5, "operating_cash_flow_y2": 3_000.3, "operating_cash_flow_y1": t - 2_499.8]
        case "rd_staff_share": return ["employees": 10_000, "rd_staff": t * 10_000]
        case "main_business_share": return ["revenue_y1": 8_765.4, "main_business_revenue_y1": t * 8_765.4]
        case "main_growth_1y": return ["main_business_revenue_y2": 3_000, "main_business_revenue_y1": 3_000 * (1 + t)]
        // R&D over costs (revenue − net profit = 7530.9).
        case "rd_cost_share_1y": return ["revenue_y1": 8_765.4, "net_profit_y1": 1_234.5, "rd_expense_y1": t * 7_530.9]
        // Founded 2021; the assessment date t + 51 mean years after 1970-01-01.
        case "years_since_founding": return ["founding_year": 2021, "as_of_date": (t + 51) * Decimal(string: "365.2425")!]
        default: return nil
        }
    }

    /// The 创新型中小企业 score's parts: each possible number of points and how to set fields to
    /// give it (ratios exactly at the published bounds, where the points change). Parts share
    /// fields (main-business revenue is both the share's numerator and the growth's), so each
    /// sets its own from the others': they are applied in this order, over ``scoreDefaults``.
    static let pointParts: [(name: String, options: [(points: Decimal, apply: @Sendable (inout [String: Decimal]) -> Void)])] = [
        ("innovative_ip_points", [
            (15, { $0.merge(["class1_ip_self_filed": 1, "class1_ip": 1, "class2_ip": 0]) { _, b in b } }),
            (10, { $0.merge(["class1_ip_self_filed": 0, "class1_ip": 1, "class2_ip": 0]) { _, b in b } }),
            (5, { $0.merge(["class1_ip_self_filed": 0, "class1_ip": 0, "class2_ip": 1]) { _, b in b } }),
            (0, { $0.merge(["class1_ip_self_filed": 0, "class1_ip": 0, "class2_ip": 0]) { _, b in b } }),
        ]),
        ("innovative_field_points", [(10, { $0["strategic_emerging"] = 1 }), (5, { $0["strategic_emerging"] = 0 })]),
        ("innovative_debt_points", [(Decimal(10), Decimal(0.55)), (5, 0.75), (0, 0.9)].map { points, ratio in
            (points, { $0["total_liabilities"] = ratio * $0["total_assets"]! })
        }),
        // Revenue = main-business revenue / share.
        ("innovative_share_points", [(Decimal(20), Decimal(string: "0.70")!), (15, Decimal(string: "0.60")!), (10, Decimal(string: "0.55")!),
                                     (5, Decimal(string: "0.50")!), (0, Decimal(string: "0.40")!)].map { points, share in
            (points, { $0["revenue_y1"] = $0["main_business_revenue_y1"]! / share })
        }),
        // Last year's main-business revenue = this year's / (1 + growth).
        ("innovative_growth_points", [(Decimal(20), Decimal(string: "1.15")!), (15, Decimal(string: "1.10")!), (10, Decimal(string: "1.05")!),
                                      (5, 1), (0, Decimal(string: "0.9")!)].map { points, factor in
            (points, { $0["main_business_revenue_y2"] = $0["main_business_revenue_y1"]! / factor })
        }),
        // R&D = ratio × revenue.
        ("innovative_rd_points", [(Decimal(20), Decimal(string: "0.05")!), (15, Decimal(string: "0.03")!), (10, Decimal(string: "0.02")!),
                                  (5, Decimal(string: "0.01")!), (0, 0)].map { points, ratio in
            (points, { $0["rd_expense_y1"] = ratio * $0["revenue_y1"]! })
        }),
    ]

    /// Fields the score's parts start from: main-business revenue 15939万 (3²·7·11·23, so that
    /// dividing it by each share and growth factor above leaves a short decimal) of 22770万 revenue.
    static let scoreDefaults: [String: Decimal] = ["main_business_revenue_y1": 15_939, "main_business_revenue_y2": 15_939, "revenue_y1": 22_770,
                                                   "total_assets": 8_765.4, "total_liabilities": 4_382.7]

    /// The score parts `quantity` adds up (it or the definition it names), nil when it is not such a sum.
    static func scoreParts(_ quantity: ParsedExpression, catalog: Catalog) -> [String]? {
        switch quantity {
        case .binary(.add, let a, let b):
            guard let x = scoreParts(a, catalog: catalog), let y = scoreParts(b, catalog: catalog) else { return nil }
            return x + y
        case .column(let name, _):
            if pointParts.contains(where: { $0.name == name }) { return [name] }
            return catalog.definitions.first { $0.name == name }.flatMap { scoreParts($0.expression, catalog: catalog) }
        default: return nil
        }
    }

    /// A sum of score parts at `t` points, if one exists; nil when `quantity` is not such a sum.
    static func pointsRecipe(for quantity: ParsedExpression, value t: Decimal, catalog: Catalog) -> [String: Decimal]? {
        guard let names = scoreParts(quantity, catalog: catalog) else { return nil }
        let parts = pointParts.filter { names.contains($0.name) }
        // Points for each part, in `parts` order, adding up to `left`.
        func solve(_ i: Int, _ left: Decimal) -> [Int]? {
            if i == parts.count { return left == 0 ? [] : nil }
            for (k, option) in parts[i].options.enumerated() where option.points <= left {
                if let rest = solve(i + 1, left - option.points) { return [k] + rest }
            }
            return nil
        }
        guard let choice = solve(0, t) else { return nil }
        var fields = scoreDefaults
        for (part, k) in zip(parts, choice) { part.options[k].apply(&fields) }
        return fields
    }

    /// One unit of the recorded data for a quantity: 0.01万元, 0.01 percentage points, a whole
    /// count or year, a day, five points of the 创新型 score.
    static func unit(of quantity: ParsedExpression, catalog: Catalog) -> Decimal {
        if scoreParts(quantity, catalog: catalog) != nil { return 5 }
        guard case .column(let name, _) = quantity else { return 1 }
        if name == "as_of_date" { return 1 }
        if let d = catalog.definitions.first(where: { $0.name == name }) {
            switch d.unit {
            case .percent: return 0.0001
            case .money: return 0.01
            default: return 1
            }
        }
        guard let i = EnterpriseSchema.schema.index(of: name) else { return 1 }
        switch EnterpriseSchema.schema.fields[i].kind {
        case .ratio: return 0.0001
        case .number: return 0.01
        default: return 1
        }
    }

    /// One applicant with these decimal values, read by the JSON reader; nil when the reader
    /// rejects it (a value outside its field's range, such as a flag of -1).
    static func chunk(_ values: [String: Decimal]) -> RecordChunk? {
        var fields = ["\"enterprise_id\": \"91370100MA3C5YQ12D\""]
        if values["fiscal_year"] == nil { fields.append("\"fiscal_year\": 2025") }
        for (name, v) in values.sorted(by: { $0.key < $1.key }) where name != "as_of_date" { fields.append("\"\(name)\": \(v)") }
        return try? JSONRecordReader.parse(Array(("{" + fields.joined(separator: ", ") + "}").utf8), path: "applicant.json",
                                           schema: EnterpriseSchema.schema).0
    }

    // MARK: Tests

    @Test("Every comparison of the catalog with a number: exactly at it, one unit past and one unit short, as exact decimal arithmetic decides")
    func everyCatalogThreshold() throws {
        let catalog = shippedCatalog
        let environment = catalog.environment(schema: EnterpriseSchema.schema)
        let definitions = Dictionary(uniqueKeysWithValues: catalog.definitions.map { ($0.name, $0.expression) })
        let found = Self.comparisons(in: catalog)
        var covered = 0, checks = 0
        for comparison in found {
            let unit = Self.unit(of: comparison.quantity, catalog: catalog)
            let compiled = try CompiledExpression(comparison.expression, in: environment, boolean: true)
            var decided: [Decimal] = []
            for offset in [0, unit, -unit] {
                let target = comparison.threshold + offset
                guard let values = Self.recipe(for: comparison.quantity, value: target, catalog: catalog) else {
                    Issue.record("\(comparison): no recipe puts this quantity at \(target); add one to ThresholdBoundaryTests.recipe")
                    continue
                }
                guard let chunk = Self.chunk(values) else { continue }  // outside the field's range
                // The exact value of the quantity, independently of the engine, is the target.
                let exact = try ExactEvaluator(definitions: definitions, values: values).number(comparison.quantity)
                #expect(exact == ExactRational(target), "\(comparison): recipe gives \(exact.decimalText), not \(target)")
                let expected = ExpressionEvaluatorReference.truth(comparison.op, exact, comparison.threshold)
                let asOf = values["as_of_date"].map { NSDecimalNumber(decimal: $0).doubleValue } ?? Double(assessmentDay)
                guard case .truths(let t) = compiled.evaluate(chunk, parameters: ["as_of_date": asOf]) else {
                    Issue.record("\(comparison): not a condition")
                    continue
                }
                #expect(t == [expected ? .pass : .fail], "\(comparison) at \(target) (\(values)): engine \(t[0]), exactly \(expected)")
                decided.append(offset)
                checks += 1
            }
            // At the threshold and on at least one side of it.
            #expect(decided.contains(0) && decided.count >= 2, "\(comparison): decided only at offsets \(decided)")
            covered += 1
        }
        // The shipped catalog's comparisons with a number, all covered (the count grows with the catalog).
        #expect(covered == found.count && covered >= 190, "\(covered) of \(found.count)")
        #expect(checks >= 2 * covered)
        print("ThresholdBoundaryTests: \(covered) comparisons, \(checks) boundary checks")
    }

    @Test("新三板: revenue from 3000万 to 3600万 is exactly 20% growth, which meets the growth alternative (revenue_growth_20)")
    func neeqGrowthExactlyTwentyPercent() throws {
        // Financial condition (ii) met by average revenue 3300万 (≥ 3000万) and growth of exactly 20%; (iii) fails (R&D 4.98%).
        let firm = with(CatalogRuleTests.neeqBase, ["rd_expense_y1": 149, "revenue_y1": 3_600, "revenue_y2": 3_000])
        let (status, reasons) = try eligibility(firm, offer: "neeq")
        #expect(status == .pass, "\(reasons.map(\.text))")
        // The condition itself, and one step short of 20% (3599.99万: 19.9997%) fails.
        let (short, shortReasons) = try eligibility(with(firm, ["revenue_y1": 3_599.99]), offer: "neeq")
        #expect(short == .fail)
        let growth = try #require(shortReasons.first { $0.conditionID == "revenue_growth_20" })
        #expect(growth.text.contains("19.9997% < 20%"), "\(growth.text)")
    }

    @Test("创新型中小企业: main-business growth of exactly 15% scores 20 points, 14.99% scores 15")
    func innovativeGrowthPoints() throws {
        let environment = shippedCatalog.environment(schema: EnterpriseSchema.schema)
        let points = try CompiledExpression(parsing: "innovative_growth_points", in: environment, boolean: false)
        for (y1, expected) in [("3450", 20.0), ("3449.97", 15.0), ("3300", 15.0), ("3150", 10.0), ("3000", 5.0), ("2999.97", 0.0)] {
            let chunk = try #require(Self.chunk(["main_business_revenue_y2": 3_000, "main_business_revenue_y1": Decimal(string: y1)!]))
            guard case .numbers(let v, let missing) = points.evaluate(chunk) else { Issue.record("not a number"); continue }
            #expect(!missing[0] && v[0] == expected, "main business 3000万 → \(y1)万: \(v[0]) points")
        }
    }

    @Test("The tolerance: within 1e-9·max(1, |c|) of c counts as c, beyond it does not, for every operator, constant and path")
    func toleranceSemantics() throws {
        let environment = shippedCatalog.environment(schema: EnterpriseSchema.schema)
        for c in [0.0, 0.2, 0.08, 1_500, 500_000, -300] {
            let tol = 1e-9 * max(1, abs(c))
            // Multiples of the tolerance, and where each lies relative to the band around c.
            let offsets: [(k: Double, order: Int)] = [(-3, -1), (-0.5, 0), (0, 0), (0.5, 0), (3, 1)]
            let values = offsets.map { c + $0.k * tol }
            // One chunk of five rows (the loops over columns), each its own applicant.
            let json = "[" + values.enumerated().map { i, v in
                "{\"enterprise_id\": \"\(CreditCode.complete("91370100MA3C5YQ1\(i)")!)\", \"fiscal_year\": 2025, \"net_profit_y1\": \(v)}"
            }.joined(separator: ", ") + "]"
            let (chunk, _) = try JSONRecordReader.parse(Array(json.utf8), path: "t.json", schema: EnterpriseSchema.schema)
            #expect(chunk.rowCount == values.count)
            for op in [ParsedExpression.BinaryOperator.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual] {
                let expected: [Truth] = offsets.map { ExactEvaluator.holds(op, $0.order) ? .pass : .fail }
                // A field in place, a computed value, the number on the left, a parameter.
                for text in ["net_profit_y1 \(op.rawValue) \(c)", "net_profit_y1 * 1 \(op.rawValue) \(c)", "\(c) \(op.swapped.rawValue) net_profit_y1"] {
                    let e = try CompiledExpression(parsing: text, in: environment, boolean: true)
                    #expect(e.evaluate(chunk) == .truths(expected), "\(text) at c + \(offsets.map(\.k)) · tol")
                }
                let parameter = try CompiledExpression(parsing: "as_of_date \(op.rawValue) \(c)", in: environment, boolean: true)
                for (i, v) in values.enumerated() {
                    #expect(parameter.evaluate(chunk.row(0), parameters: ["as_of_date": v]) == .truths([expected[i]]), "as_of_date = \(v) \(op.rawValue) \(c)")
                }
            }
        }
        // Two values are compared exactly: net assets a hair below share capital is below it.
        let json = #"{"enterprise_id": "91370100MA3C5YQ12D", "fiscal_year": 2025, "net_assets": 499.9999999999, "share_capital": 500}"#
        let (chunk, _) = try JSONRecordReader.parse(Array(json.utf8), path: "t.json", schema: EnterpriseSchema.schema)
        let e = try CompiledExpression(parsing: "net_assets >= share_capital", in: environment, boolean: true)
        #expect(e.evaluate(chunk) == .truths([.fail]))
    }

    @Test("A failed condition never reads 差 0: a shortfall below the display's precision shows the digits that differ and says 不足")
    func gapNeverSaysZero() throws {
        // 北交所 standard 2 (market value 4亿, average revenue 1亿, growth 30%): 10000万 → 12999.9999万
        // is 29.999999% (1e-8 short, ten times the tolerance); standard 1 fails by 500万 of profit.
        let firm = with(CatalogRuleTests.bseBase, ["net_profit_y1": 1_000, "expected_market_value": 40_000, "revenue_y2": 10_000, "revenue_y1": 12_999.9999])
        let (status, gap) = try GapTests().gapOf(firm, offer: "bse")
        #expect(status == .fail)
        let growth = try #require(gap?.items.first { $0.conditionID == "revenue_growth_30" }, "\(gap?.items.map(\.text) ?? [])")
        #expect(growth.text.contains("29.999999%，需 ≥30%，差不足0.01个百分点"), "\(growth.text)")
        let (_, english) = try GapTests().gapOf(firm, offer: "bse", language: .en)
        let text = try #require(english?.items.first { $0.conditionID == "revenue_growth_30" }).text
        #expect(text.contains("29.999999%, needs ≥ 30%: less than 0.01 percentage points short"), "\(text)")
        // And exactly 30% (13000万) meets standard 2: the offer is open, with no gap.
        let (open, none) = try GapTests().gapOf(with(firm, ["revenue_y1": 13_000]), offer: "bse")
        #expect(open == .pass && none == nil)

        // Over every failed comparison of the shipped pool's first rows: no shortfall of 0 shown.
        var options = ReaderOptions()
        options.chunkRows = 300
        let reader = try EnterpriseFileReader(path: repositoryRoot() + "/Datasets/shandong-pool.csv", options: options)
        let chunk = try #require(try reader.nextChunk())
        let result = GapTests.scorer.evaluator.evaluate(chunk, asOf: assessmentDay)
        // A zero amount: "差 0万元", "超 0个百分点", ": 0 percentage points short", "CNY 0m over".
        let zero = [try Regex("[差超] 0(?![.0-9])"), try Regex(": (CNY )?0(?![.0-9])")]
        var items = 0, strict = 0
        for k in GapTests.scorer.catalog.offers.indices {
            for r in 0..<chunk.rowCount {
                for language in Language.allCases {
                    for item in GapTests.scorer.gaps.gap(result, offer: k, row: r, language: language)?.items ?? [] where item.shortfall != nil {
                        items += 1
                        #expect(!zero.contains { item.text.contains($0) }, "\(item.text)")
                        #expect(item.shortfall! > 0 || item.text.contains("须高于此值") || item.text.contains("must be above it"), "\(item.text)")
                        if item.shortfall == 0 { strict += 1 }
                    }
                }
            }
        }
        #expect(items > 100 && strict > 0, "\(items) items, \(strict) on a strict bound")
    }
}

/// The expected truth of `x op c`, from exact arithmetic.
enum ExpressionEvaluatorReference {
    static func truth(_ op: ParsedExpression.BinaryOperator, _ x: ExactRational, _ c: Decimal) -> Bool {
        ExactEvaluator.holds(op, ExactRational.order(x, ExactRational(c)))
    }
}
