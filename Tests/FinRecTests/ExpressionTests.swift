import FinRec
import Foundation
import Testing

/// A small schema for expression tests: numbers a, b, c; a flag; a category; a text column.
let expressionSchema = RecordSchema(name: "test", fields: [
    FieldSpec("a", "甲", .number(-1e308...1e308, unit: "万元"), "a"),
    FieldSpec("b", "乙", .number(-1e308...1e308, unit: "万元"), "b"),
    FieldSpec("c", "丙", .number(-1e308...1e308, unit: "万元"), "c"),
    FieldSpec("flag", "标志", .flag, "flag"),
    FieldSpec("tier", "等级", .category(EnterpriseSchema.tiers), "tier"),
    FieldSpec("industry", "行业", .text(maxLength: 3), "industry"),
])

/// Builds a chunk of the test schema from CSV text through the real reader.
func expressionChunk(_ csv: String) throws -> RecordChunk {
    let path = writeTemporary(csv).path
    var options = ReaderOptions()
    options.detectDuplicateIds = false
    return try CSVRecordReader(path: path, schema: expressionSchema, options: options).readAll()[0]
}

@Suite("ParsedExpression parser")
struct ExpressionParserTests {
    @Test("Precedence and associativity", arguments: [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("-a * b", "((-a) * b)"),
        ("a + b >= c * 2", "((a + b) >= (c * 2))"),
        ("a > 1 && b > 2 || c > 3", "(((a > 1) && (b > 2)) || (c > 3))"),
        ("a > 1 || b > 2 && c > 3", "((a > 1) || ((b > 2) && (c > 3)))"),
        ("!a > 1", "((!a) > 1)"),
        ("!(a > 1) && b == 2", "((!(a > 1)) && (b == 2))"),
        ("max(a, b + 1, 2) - 3", "(max(a, (b + 1), 2) - 3)"),
        ("tier == 'little_giant'", "(tier == 'little_giant')"),
        ("1e3 + .5", "(1000 + 0.5)"),
    ])
    func precedence(text: String, expected: String) throws {
        #expect(render(try ExpressionParser.parse(text)) == expected)
    }

    @Test("Syntax errors point at the character", arguments: [
        ("a +", "expected a number, a name or '(', found end of expression at 1:4"),
        ("(a + b", "expected ')' to close the '(' at 1:1, found end of expression at 1:7"),
        ("a = 1", "unexpected character '='; compare with == at 1:3"),
        ("a & b", "unexpected character '&'; 'and' is && at 1:3"),
        ("a < b < c", "comparisons cannot be chained; join them with && at 1:7"),
        ("max(a b)", "expected ',' or ')' in the arguments of max, found name 'b' at 1:7"),
        ("a b", "unexpected name 'b' after the expression at 1:3"),
        ("'open", "a string is never closed; end it with ' at 1:1"),
        ("a（b）", "unexpected character '（'; use half-width ( ) , at 1:2"),
        ("1.2.3", "'1.2.3' is not a number at 1:1"),
        ("a +\n  $", "unexpected character '$' at 2:3"),
    ])
    func syntaxErrors(text: String, expected: String) {
        do {
            _ = try ExpressionParser.parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("Deep nesting is refused, not recursed into")
    func depthLimit() {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(throws: ExpressionError.self) { _ = try ExpressionParser.parse(deep) }
        let negations = String(repeating: "-", count: 10_000) + "1"
        #expect(throws: ExpressionError.self) { _ = try ExpressionParser.parse(negations) }
    }

    func render(_ e: ParsedExpression) -> String {
        switch e {
        case .number(let x): return x == x.rounded() ? String(Int(x)) : String(x)
        case .string(let s, _): return "'\(s)'"
        case .column(let n, _): return n
        case .unary(let op, let x): return "(\(op.rawValue)\(render(x)))"
        case .binary(let op, let a, let b): return "(\(render(a)) \(op.rawValue) \(render(b)))"
        case .call(let n, let args, _): return "\(n)(" + args.map(render).joined(separator: ", ") + ")"
        }
    }
}

@Suite("ParsedExpression compiler: meaning errors")
struct ExpressionCompilerTests {
    let environment = ExpressionEnvironment(schema: expressionSchema, definitions: [
        "ab": try! ExpressionParser.parse("a + b"),
        "loop1": try! ExpressionParser.parse("loop2 + 1"),
        "loop2": try! ExpressionParser.parse("loop1 * 2"),
    ])

    @Test("Columns may be named by their aliases and Chinese names; typos get a suggestion")
    func aliases() throws {
        let enterprise = ExpressionEnvironment(schema: EnterpriseSchema.schema)
        let byAlias = try CompiledExpression(parsing: "revenue + 研发费用 > 0", in: enterprise, boolean: true)
        #expect(byAlias.fieldsRead == ["revenue_y1", "rd_expense_y1"].map { EnterpriseSchema.schema.index(of: $0)! })
        do {
            _ = try CompiledExpression(parsing: "rd_ratio >= revnue", in: enterprise, boolean: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "unknown column 'rd_ratio' at 1:1")
        }
        do {
            _ = try CompiledExpression(parsing: "rd_staff >= revnue", in: enterprise, boolean: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "unknown column 'revnue' at 1:13; did you mean 'revenue'?")
        }
    }

    @Test("Each meaning error names the place and what to do", arguments: [
        ("revnue > 1", true, "unknown column 'revnue' at 1:1"),
        ("a + bb > 1", true, "unknown column 'bb' at 1:5; did you mean 'b'?"),
        ("a + bx > 1", true, "unknown column 'bx' at 1:5; did you mean 'b'?"),
        ("a + abc > 1", true, "unknown column 'abc' at 1:5; did you mean 'ab'?"),
        ("tier == 'little_gaint'", true, "'little_gaint' is not a value of tier; use one of 'none', 'innovative', 'provincial_srdi', 'little_giant' at 1:9"),
        ("a + (b > 1)", false, "'+' needs numbers, found a condition at 1:6"),
        ("a && b > 1", true, "'&&' needs conditions on both sides, found a number at 1:1"),
        ("a + 1", true, "a rule must be a condition (a comparison, &&, ||, !); this is a number at 1:1"),
        ("a > 1", false, "a feature must be a number; wrap the condition in if(condition, 1, 0) at 1:1"),
        ("industry > 'C'", true, "text can only be compared with == or != at 1:1"),
        ("mx(a, b) > 1", true, "unknown function 'mx' at 1:1; did you mean 'max'?"),
        ("clip(a, 1) > 1", true, "clip takes 3 arguments, got 2 at 1:1"),
        ("in(industry, C35)", true, "in's values after the first must be strings in quotes at 1:14"),
        ("loop1 > 1", true, "'loop1' is defined in terms of itself (loop1 → loop2 → loop1) at 1:1"),
        ("if(a, 1, 2) > 0", true, "the first argument of if must be a condition, found a number at 1:4"),
    ])
    func meaningErrors(text: String, boolean: Bool, expected: String) {
        do {
            _ = try CompiledExpression(parsing: text, in: environment, boolean: boolean)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.description == expected)
        }
    }
}

@Suite("Expression evaluator")
struct ExpressionEvaluatorTests {
    let environment = ExpressionEnvironment(schema: expressionSchema, definitions: [
        "ab": try! ExpressionParser.parse("a + b"),
        "ratio": try! ExpressionParser.parse("a / b"),
    ])

    func truths(_ text: String, _ chunk: RecordChunk, parameters: [String: Double] = [:]) throws -> [Truth] {
        guard case .truths(let t) = try CompiledExpression(parsing: text, in: environment, boolean: true).evaluate(chunk, parameters: parameters) else {
            Issue.record("not a condition")
            return []
        }
        return t
    }

    func numbers(_ text: String, _ chunk: RecordChunk) throws -> [Double?] {
        guard case .numbers(let v, let m) = try CompiledExpression(parsing: text, in: environment, boolean: false).evaluate(chunk) else {
            Issue.record("not a number")
            return []
        }
        return zip(v, m).map { $1 ? nil : $0 }
    }

    /// Rows of (a, b) covering pass, fail and unknown for "a > 0" and "b > 0".
    var kleeneChunk: RecordChunk {
        get throws {
            var csv = "a,b,c,flag,tier,industry\n"
            for a in ["1", "-1", ""] { for b in ["1", "-1", ""] { csv += "\(a),\(b),0,,,\n" } }
            return try expressionChunk(csv)
        }
    }

    @Test("&&, || and ! follow Kleene's three-valued logic")
    func kleene() throws {
        let chunk = try kleeneChunk
        let p = Truth.pass, f = Truth.fail, u = Truth.unknown
        // Rows: a ∈ {pass, fail, unknown} × b ∈ {pass, fail, unknown}.
        #expect(try truths("a > 0 && b > 0", chunk) == [p, f, u, f, f, f, u, f, u])
        #expect(try truths("a > 0 || b > 0", chunk) == [p, p, p, p, f, u, p, u, u])
        #expect(try truths("!(a > 0)", chunk) == [f, f, f, p, p, p, u, u, u])
        #expect(try truths("is_missing(a)", chunk) == [f, f, f, f, f, f, p, p, p])
        #expect(try truths("is_missing(a > 0 && b > 0)", chunk) == [f, f, p, f, f, f, p, f, p])
    }

    @Test("Comparisons of every shape (field, constant, parameter, definition) agree with their definition row by row")
    func comparisonShapes() throws {
        // Values chosen to hit equality, both orders and missing on each side.
        let cells = ["", "-2", "0", "1", "2.5"]
        var csv = "a,b,c,flag,tier,industry\n"
        for a in cells { for b in cells { csv += "\(a),\(b),0,,,\n" } }
        let chunk = try expressionChunk(csv)
        let a = chunk.numeric("a"), b = chunk.numeric("b")
        let operators: [(String, (Double, Double) -> Bool)] = [("==", (==)), ("!=", (!=)), ("<", (<)), ("<=", (<=)), (">", (>)), (">=", (>=))]
        func expected(_ x: (Int) -> Double?, _ y: (Int) -> Double?, _ holds: (Double, Double) -> Bool) -> [Truth] {
            (0..<chunk.rowCount).map { r in
                guard let x = x(r), let y = y(r) else { return .unknown }
                return holds(x, y) ? .pass : .fail
            }
        }
        let ab: (Int) -> Double? = { r in a[r].flatMap { x in b[r].map { x + $0 } } }
        for (op, holds) in operators {
            #expect(try truths("a \(op) 1", chunk) == expected({ a[$0] }, { _ in 1 }, holds), "a \(op) 1")
            #expect(try truths("1 \(op) a", chunk) == expected({ _ in 1 }, { a[$0] }, holds), "1 \(op) a")
            #expect(try truths("a \(op) b", chunk) == expected({ a[$0] }, { b[$0] }, holds), "a \(op) b")
            #expect(try truths("ab \(op) 0.5", chunk) == expected(ab, { _ in 0.5 }, holds), "ab \(op) 0.5")
            #expect(try truths("b \(op) ab", chunk) == expected({ b[$0] }, ab, holds), "b \(op) ab")
            #expect(try truths("2 \(op) 3", chunk) == expected({ _ in 2 }, { _ in 3 }, holds), "2 \(op) 3")
            #expect(try truths("a \(op) as_of_date", chunk, parameters: ["as_of_date": 0]) == expected({ a[$0] }, { _ in 0 }, holds))
            #expect(try truths("as_of_date \(op) a", chunk) == Array(repeating: .unknown, count: chunk.rowCount), "no parameter given")
        }
        // One memo shared by several expressions over the chunk gives what each gives alone.
        let memo = EvaluationMemo()
        for text in ["ab > 0", "ab * 2 > 1", "ratio < 1", "ab <= ratio"] {
            let alone = try truths(text, chunk)
            guard case .truths(let shared) = try CompiledExpression(parsing: text, in: environment, boolean: true).evaluate(chunk, memo: memo) else {
                Issue.record("not a condition")
                continue
            }
            #expect(shared == alone, "\(text)")
        }
    }

    @Test("Division by zero, overflow and log1p outside its domain give missing, never inf or NaN")
    func undefinedArithmetic() throws {
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n1,0,1e300,,,\n-1,-1,-1e300,,,\n6,3,2,,,\n")
        #expect(try numbers("a / b", chunk) == [nil, 1, 2])
        #expect(try numbers("c * c", chunk) == [nil, nil, 4])
        #expect(try numbers("log1p(b)", chunk)[0] == log1p(0))
        #expect(try numbers("log1p(b)", chunk)[1] == nil)
        #expect(try truths("a / b > 0", chunk) == [.unknown, .pass, .pass])
        #expect(try numbers("if(a / b > 0, 1, 0)", chunk) == [nil, 1, 1])
        #expect(try numbers("sqrt(a)", chunk) == [1, nil, 6.0.squareRoot()])
    }

    @Test("Categories compare by code or Chinese name in their listed order; text with ==, in and starts_with")
    func categoriesAndText() throws {
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n,,,1,little_giant,C35\n,,,0,创新型,I65\n,,,,,\n")
        #expect(try truths("tier == 'little_giant'", chunk) == [.pass, .fail, .unknown])
        #expect(try truths("tier >= '省级专精特新'", chunk) == [.pass, .fail, .unknown])
        #expect(try truths("in(tier, 'innovative', 'provincial_srdi')", chunk) == [.fail, .pass, .unknown])
        #expect(try truths("industry == 'I65'", chunk) == [.fail, .pass, .unknown])
        #expect(try truths("industry != 'I65'", chunk) == [.pass, .fail, .unknown])
        #expect(try truths("starts_with(industry, 'C', 'J')", chunk) == [.pass, .fail, .unknown])
        // Non-ASCII text and prefixes (compared as Unicode text, not bytes), and sets of values.
        let mixed = try expressionChunk("a,b,c,flag,tier,industry\n,,,,,C35\n,,,,,济南\n,,,,,Ｃ1\n")
        #expect(try truths("starts_with(industry, 'C')", mixed) == [.pass, .fail, .fail])
        #expect(try truths("starts_with(industry, '济', 'Ｃ')", mixed) == [.fail, .pass, .pass])
        #expect(try truths("in(industry, 'C35', '济南')", mixed) == [.pass, .pass, .fail])
        #expect(try truths("in(industry, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', '济南')", mixed) == [.fail, .pass, .fail])
        #expect(try truths("in(industry, 'J66', 'I65')", chunk) == [.fail, .pass, .unknown])
        #expect(try truths("is_missing(industry)", chunk) == [.fail, .fail, .pass])
        #expect(try truths("flag == 1", chunk) == [.pass, .fail, .unknown])
    }

    @Test("Definitions expand, and parameters are given per run")
    func definitionsAndParameters() throws {
        let chunk = try expressionChunk("a,b,c,flag,tier,industry\n2,3,10,,,\n")
        #expect(try numbers("ab * 2", chunk) == [10])
        #expect(try truths("c >= as_of_date", chunk, parameters: ["as_of_date": 10]) == [.pass])
        #expect(try truths("c >= as_of_date", chunk) == [.unknown])
    }

    @Test("Column-at-a-time evaluation agrees with a per-row interpreter on random expressions",
          arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func agreesWithRowInterpreter(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        // Data with missing values, zeros (division by zero) and huge values (overflow).
        var csv = "a,b,c,flag,tier,industry\n"
        var rows: [[String: Double?]] = []
        let pool: [Double?] = [nil, 0, 1, -1, 2.5, -3.75, 1e200, -1e200, 0.001, 7]
        for _ in 0..<200 {
            let values = (0..<3).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
            rows.append(["a": values[0], "b": values[1], "c": values[2]])
            csv += values.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",") + ",,,\n"
        }
        let chunk = try expressionChunk(csv)
        for _ in 0..<150 {
            let wantCondition = rng.bernoulli(0.5)
            let text = wantCondition ? randomCondition(&rng, depth: 3) : randomNumber(&rng, depth: 3)
            let compiled = try CompiledExpression(parsing: text, in: environment, boolean: wantCondition)
            let parsed = try ExpressionParser.parse(text)
            switch compiled.evaluate(chunk) {
            case .truths(let t):
                for (r, row) in rows.enumerated() {
                    #expect(t[r] == RowInterpreter.truth(parsed, row), "\(text) row \(r)")
                }
            case .numbers(let v, let m):
                for (r, row) in rows.enumerated() {
                    let expected = RowInterpreter.number(parsed, row)
                    let got: Double? = m[r] ? nil : v[r]
                    if let expected, let got {
                        #expect(abs(got - expected) <= 1e-12 * max(1, abs(expected)), "\(text) row \(r)")
                    } else {
                        #expect(got == nil && expected == nil, "\(text) row \(r): \(String(describing: got)) vs \(String(describing: expected))")
                    }
                }
            }
        }
    }

    func randomNumber(_ rng: inout SplitMix64, depth: Int) -> String {
        if depth == 0 || rng.bernoulli(0.3) {
            return ["a", "b", "c", "2", "0.5", "ab", "ratio"][Int(rng.next() % 7)]
        }
        switch rng.next() % 9 {
        case 0: return "(\(randomNumber(&rng, depth: depth - 1)) + \(randomNumber(&rng, depth: depth - 1)))"
        case 1: return "(\(randomNumber(&rng, depth: depth - 1)) - \(randomNumber(&rng, depth: depth - 1)))"
        case 2: return "(\(randomNumber(&rng, depth: depth - 1)) * \(randomNumber(&rng, depth: depth - 1)))"
        case 3: return "(\(randomNumber(&rng, depth: depth - 1)) / \(randomNumber(&rng, depth: depth - 1)))"
        case 4: return "-\(randomNumber(&rng, depth: depth - 1))"
        case 5: return "\(["min", "max"][Int(rng.next() % 2)])(\(randomNumber(&rng, depth: depth - 1)), \(randomNumber(&rng, depth: depth - 1)))"
        case 6: return "\(["abs", "log1p"][Int(rng.next() % 2)])(\(randomNumber(&rng, depth: depth - 1)))"
        case 7: return "clip(\(randomNumber(&rng, depth: depth - 1)), -1, 5)"
        default: return "if(\(randomCondition(&rng, depth: depth - 1)), \(randomNumber(&rng, depth: depth - 1)), \(randomNumber(&rng, depth: depth - 1)))"
        }
    }

    func randomCondition(_ rng: inout SplitMix64, depth: Int) -> String {
        if depth == 0 || rng.bernoulli(0.3) {
            let op = ["<", "<=", ">", ">=", "==", "!="][Int(rng.next() % 6)]
            return "(\(randomNumber(&rng, depth: 1)) \(op) \(randomNumber(&rng, depth: 1)))"
        }
        switch rng.next() % 4 {
        case 0: return "(\(randomCondition(&rng, depth: depth - 1)) && \(randomCondition(&rng, depth: depth - 1)))"
        case 1: return "(\(randomCondition(&rng, depth: depth - 1)) || \(randomCondition(&rng, depth: depth - 1)))"
        case 2: return "!\(randomCondition(&rng, depth: depth - 1))"
        default: return "is_missing(\(randomNumber(&rng, depth: depth - 1)))"
        }
    }
}

/// A straightforward per-row tree-walking interpreter of the documented semantics, written
/// independently of the library's column-at-a-time evaluator, as the reference for the property test.
enum RowInterpreter {
    static let definitions: [String: String] = ["ab": "a + b", "ratio": "a / b"]

    static func number(_ e: ParsedExpression, _ row: [String: Double?]) -> Double? {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        switch e {
        case .number(let x): return x
        case .column(let name, _):
            if let d = definitions[name] { return number(try! ExpressionParser.parse(d), row) }
            return row[name] ?? nil
        case .unary(.negate, let x): return number(x, row).map { -$0 }
        case .binary(let op, let a, let b):
            guard let x = number(a, row), let y = number(b, row) else { return nil }
            switch op {
            case .add: return finite(x + y)
            case .subtract: return finite(x - y)
            case .multiply: return finite(x * y)
            case .divide: return y == 0 ? nil : finite(x / y)
            default: fatalError("not arithmetic")
            }
        case .call(let name, let args, _):
            if name == "if" {
                switch truth(args[0], row) {
                case .pass: return number(args[1], row)
                case .fail: return number(args[2], row)
                case .unknown: return nil
                }
            }
            let values = args.map { number($0, row) }
            if values.contains(where: { $0 == nil }) { return nil }
            let v = values.map { $0! }
            switch name {
            case "min": return v.min()
            case "max": return v.max()
            case "abs": return abs(v[0])
            case "log1p": return v[0] > -1 ? finite(log1p(v[0])) : nil
            case "clip": return Swift.min(Swift.max(v[0], v[1]), v[2])
            default: fatalError("unknown function")
            }
        default: fatalError("not a number: \(e)")
        }
    }

    static func truth(_ e: ParsedExpression, _ row: [String: Double?]) -> Truth {
        switch e {
        case .unary(.not, let x):
            switch truth(x, row) {
            case .pass: return .fail
            case .fail: return .pass
            case .unknown: return .unknown
            }
        case .binary(.and, let a, let b):
            let x = truth(a, row), y = truth(b, row)
            if x == .fail || y == .fail { return .fail }
            return x == .pass && y == .pass ? .pass : .unknown
        case .binary(.or, let a, let b):
            let x = truth(a, row), y = truth(b, row)
            if x == .pass || y == .pass { return .pass }
            return x == .fail && y == .fail ? .fail : .unknown
        case .binary(let op, let a, let b):
            guard let x = number(a, row), let y = number(b, row) else { return .unknown }
            let holds: Bool
            switch op {
            case .less: holds = x < y
            case .lessOrEqual: holds = x <= y
            case .greater: holds = x > y
            case .greaterOrEqual: holds = x >= y
            case .equal: holds = x == y
            case .notEqual: holds = x != y
            default: fatalError("not a comparison")
            }
            return holds ? .pass : .fail
        case .call("is_missing", let args, _):
            if case .call(let n, _, _) = args[0], ["min", "max", "abs", "log1p", "clip", "if"].contains(n) {
                return number(args[0], row) == nil ? .pass : .fail
            }
            switch args[0] {
            case .binary(let op, _, _) where op.isComparisonOrLogic: return truth(args[0], row) == .unknown ? .pass : .fail
            case .unary(.not, _), .call("is_missing", _, _): return truth(args[0], row) == .unknown ? .pass : .fail
            default: return number(args[0], row) == nil ? .pass : .fail
            }
        default: fatalError("not a condition: \(e)")
        }
    }
}

extension ParsedExpression.BinaryOperator {
    var isComparisonOrLogic: Bool { ![.add, .subtract, .multiply, .divide].contains(self) }
}
