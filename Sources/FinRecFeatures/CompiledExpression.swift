import FinRecBase
package import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Truth values of three-valued (Kleene) logic, one byte per row.
public enum Truth: UInt8, Sendable, CaseIterable {
    case fail = 0, pass = 1, unknown = 2

    /// Kleene AND: fail if either fails, pass if both pass, else unknown. Branch-free (the
    /// minimum in the order fail < unknown < pass), so loops over columns vectorise.
    @inline(__always)
    package static func && (a: Truth, b: Truth) -> Truth {
        fromOrder(Swift.min(order(a), order(b)))
    }

    /// Kleene OR: pass if either passes, fail if both fail, else unknown (the maximum).
    @inline(__always)
    package static func || (a: Truth, b: Truth) -> Truth {
        fromOrder(Swift.max(order(a), order(b)))
    }

    /// The rank in fail < unknown < pass: the raw value's two bits swapped (0 → 0, 2 → 1, 1 → 2).
    @inline(__always)
    static func order(_ t: Truth) -> UInt8 { (t.rawValue & 1) << 1 | t.rawValue >> 1 }

    @inline(__always)
    static func fromOrder(_ o: UInt8) -> Truth { unsafeBitCast((o & 1) << 1 | o >> 1, to: Truth.self) }

    /// `.unknown` where `missing`, else `.pass` or `.fail` as `holds` says; branch-free.
    @inline(__always)
    static func of(_ holds: Bool, missing: Bool) -> Truth {
        let m = unsafeBitCast(missing, to: UInt8.self), h = unsafeBitCast(holds, to: UInt8.self)
        return unsafeBitCast(m << 1 | h & (m ^ 1), to: Truth.self)
    }

    /// Kleene NOT: unknown stays unknown.
    package static prefix func ! (a: Truth) -> Truth { a == .pass ? .fail : a == .fail ? .pass : .unknown }

    /// Row-wise `op` of two truth columns of equal length.
    static func combine(_ a: inout [Truth], _ b: [Truth], _ op: (Truth, Truth) -> Truth) {
        for r in a.indices { a[r] = op(a[r], b[r]) }
    }
}

/// A column of results of an expression over a chunk.
package enum ExpressionValues: Sendable, Equatable {
    /// Numbers with a missing mask.
    case numbers([Double], missing: [Bool])
    /// Three-valued truth.
    case truths([Truth])

    package var count: Int {
        switch self {
        case .numbers(let v, _): v.count
        case .truths(let t): t.count
        }
    }
}

/// What an expression can read: a schema's fields, named definitions (derived values written
/// in the same language) and parameters fixed for a run, such as `as_of_date`.
package struct ExpressionEnvironment: Sendable {
    package let schema: RecordSchema
    package let definitions: [String: ParsedExpression]
    /// Names of values fixed for a run; their values are given to ``CompiledExpression/evaluate(_:parameters:)``.
    package let parameters: [String]

    package init(schema: RecordSchema, definitions: [String: ParsedExpression] = [:], parameters: [String] = ["as_of_date"]) {
        self.schema = schema
        self.definitions = definitions
        self.parameters = parameters
    }

    /// Every name an expression may use, for "did you mean" suggestions.
    var allNames: [String] {
        schema.fields.map(\.name) + schema.fields.flatMap(\.aliases) + definitions.keys.sorted() + parameters
    }
}

/// An expression type-checked and resolved against an ``ExpressionEnvironment``, ready to be
/// evaluated column-at-a-time over ``RecordChunk``s: each node runs one loop over the chunk, so
/// the cost of interpretation is paid per chunk, not per row.
///
/// Missing values propagate: arithmetic with a missing operand is missing; a comparison with a
/// missing operand is `unknown`; `&&` and `||` follow Kleene logic (`fail && unknown` is `fail`,
/// `pass || unknown` is `pass`). Division by zero, overflow and `log1p` of −1 or less give missing,
/// never infinity or NaN.
package struct CompiledExpression: Sendable {
    package let source: ParsedExpression
    package let isBoolean: Bool
    /// Schema fields (by index) that the expression reads, definitions expanded.
    package let fieldsRead: [Int]
    package let plan: Plan

    package indirect enum Plan: Sendable {
        case constant(Double)
        case field(Int)
        case parameter(String)
        case negate(Plan)
        case arithmetic(ParsedExpression.BinaryOperator, Plan, Plan)
        /// Two values compared exactly (columns, parameters, a category's index).
        case compare(ParsedExpression.BinaryOperator, Plan, Plan)
        /// A value compared with a number written in the expression, `x op c`, as ``Threshold``
        /// says (the number on the right; `c < x` is compiled as `x > c`).
        case threshold(ParsedExpression.BinaryOperator, Plan, Double)
        case textCompare(field: Int, equal: Bool, String)
        case textIn(field: Int, Set<String>)
        case textStartsWith(field: Int, [String])
        case and(Plan, Plan)
        case or(Plan, Plan)
        case not(Plan)
        case isMissing(Plan)
        case ifThenElse(Plan, Plan, Plan)
        case function(NumericFunction, [Plan])
        /// A named numeric definition, left unexpanded (only in plans compiled for export, whose
        /// engines compute each definition once).
        case definition(String)
        /// A named numeric definition, expanded: evaluated once per chunk when the evaluator
        /// shares a ``EvaluationMemo`` across expressions (rules use `age`, `debt_ratio`, … many times).
        case named(String, Plan)
    }

    enum Kind: Equatable { case number, truth, text(field: Int), string(String), category(field: Int) }

    /// Compiles `expression`; `boolean` says whether a truth value (rule) or a number (feature)
    /// is wanted.
    package init(_ expression: ParsedExpression, in environment: ExpressionEnvironment, boolean: Bool) throws(ExpressionError) {
        try self.init(expression, in: environment, boolean: boolean, keepingDefinitions: false)
    }

    /// With `keepingDefinitions`, numeric definitions stay as ``Plan/definition(_:)`` nodes
    /// (for export, not for evaluation); `fieldsRead` still lists the fields they read.
    package init(_ expression: ParsedExpression, in environment: ExpressionEnvironment, boolean: Bool, keepingDefinitions: Bool) throws(ExpressionError) {
        var compiler = ExpressionCompiler(environment: environment)
        compiler.keepDefinitions = keepingDefinitions
        let (plan, kind) = try compiler.compile(expression, expanding: [])
        switch (kind, boolean) {
        case (.truth, true), (.number, false), (.category, false):
            break
        case (.number, true), (.category, true):
            throw ExpressionError(position: expression.firstPosition, message: "a rule must be a condition (a comparison, &&, ||, !); this is a number")
        case (.truth, false):
            throw ExpressionError(position: expression.firstPosition, message: "a feature must be a number; wrap the condition in if(condition, 1, 0)")
        case (.text, _), (.string, _):
            throw ExpressionError(position: expression.firstPosition, message: "text can only be compared (==, !=, in, starts_with)")
        }
        self.source = expression
        self.isBoolean = boolean
        self.plan = plan
        self.fieldsRead = compiler.fieldsRead
    }

    /// Parses and compiles `text`.
    package init(parsing text: String, in environment: ExpressionEnvironment, boolean: Bool) throws(ExpressionError) {
        try self.init(ExpressionParser.parse(text), in: environment, boolean: boolean)
    }

    /// Evaluates over every row of `chunk`; expressions evaluated over the same chunk with one
    /// `memo` compute each named definition once.
    package func evaluate(_ chunk: RecordChunk, parameters: [String: Double] = [:], memo: EvaluationMemo? = nil) -> ExpressionValues {
        Evaluator(chunk: chunk, parameters: parameters, memo: memo).run(plan)
    }
}

extension ParsedExpression {
    package var firstPosition: SourcePosition {
        switch self {
        case .column(_, let p), .call(_, _, let p), .string(_, let p): p
        case .unary(_, let x): x.firstPosition
        case .binary(_, let a, _): a.firstPosition
        default: SourcePosition(line: 1, column: 1)
        }
    }
}

package struct ExpressionCompiler {
    let environment: ExpressionEnvironment
    var fieldsRead: [Int] = []
    /// Leave numeric definitions as references instead of expanding them.
    var keepDefinitions = false

    init(environment: ExpressionEnvironment) { self.environment = environment }

    mutating func compile(_ e: ParsedExpression, expanding: [String]) throws(ExpressionError) -> (CompiledExpression.Plan, CompiledExpression.Kind) {
        switch e {
        case .number(let x):
            return (.constant(x), .number)
        case .string(let s, _):
            return (.constant(.nan), .string(s))
        case .column(let name, let position):
            // Names, then header aliases ("revenue" for revenue_y1, Chinese names); a definition wins over an alias.
            if let i = environment.schema.index(of: name)
                ?? (environment.definitions[name] == nil ? environment.schema.fieldIndex(forHeader: name) : nil) {
                if !fieldsRead.contains(i) { fieldsRead.append(i) }
                switch environment.schema.fields[i].kind {
                case .text, .creditCode: return (.field(i), .text(field: i))
                case .category: return (.field(i), .category(field: i))
                default: return (.field(i), .number)
                }
            }
            if let definition = environment.definitions[name] {
                guard !expanding.contains(name) else {
                    throw ExpressionError(position: position, message: "'\(name)' is defined in terms of itself (\((expanding + [name]).joined(separator: " → ")))")
                }
                let (plan, kind) = try compile(definition, expanding: expanding + [name])
                guard kind == .number else { return (plan, kind) }
                return keepDefinitions ? (.definition(name), .number) : (.named(name, plan), .number)
            }
            if environment.parameters.contains(name) { return (.parameter(name), .number) }
            throw ExpressionError(position: position, message: "unknown column '\(name)'",
                                  hint: Self.closest(to: name, in: environment.allNames).map { "did you mean '\($0)'?" })
        case .unary(.negate, let x):
            let (p, k) = try compile(x, expanding: expanding)
            try expect(k, .number, x, "'-' needs a number")
            return (.negate(p), .number)
        case .unary(.not, let x):
            let (p, k) = try compile(x, expanding: expanding)
            try expect(k, .truth, x, "'!' needs a condition")
            return (.not(p), .truth)
        case .binary(let op, let a, let b):
            let (pa, ka) = try compile(a, expanding: expanding)
            let (pb, kb) = try compile(b, expanding: expanding)
            if op == .and || op == .or {
                try expect(ka, .truth, a, "'\(op.rawValue)' needs conditions on both sides")
                try expect(kb, .truth, b, "'\(op.rawValue)' needs conditions on both sides")
                return (op == .and ? .and(pa, pb) : .or(pa, pb), .truth)
            }
            if op.isArithmetic {
                try expect(ka, .number, a, "'\(op.rawValue)' needs numbers")
                try expect(kb, .number, b, "'\(op.rawValue)' needs numbers")
                return (.arithmetic(op, pa, pb), .number)
            }
            // Comparisons.
            switch (ka, kb) {
            case (.number, .number):
                // A number written in the expression is a published threshold: compared as a decimal.
                if let c = Self.literal(b) { return (.threshold(op, pa, c), .truth) }
                if let c = Self.literal(a) { return (.threshold(op.swapped, pb, c), .truth) }
                return (.compare(op, pa, pb), .truth)
            case (.category, .category), (.number, .category), (.category, .number):
                return (.compare(op, pa, pb), .truth)
            case (.category(let field), .string(let s)):
                return (.compare(op, pa, .constant(try categoryIndex(field, s, b))), .truth)
            case (.string(let s), .category(let field)):
                return (.compare(op, .constant(try categoryIndex(field, s, a)), pb), .truth)
            case (.text(let field), .string(let s)), (.string(let s), .text(let field)):
                guard op == .equal || op == .notEqual else {
                    throw ExpressionError(position: a.firstPosition, message: "text can only be compared with == or !=")
                }
                return (.textCompare(field: field, equal: op == .equal, s), .truth)
            default:
                throw ExpressionError(position: a.firstPosition, message: "cannot compare \(Self.describe(ka)) with \(Self.describe(kb))")
            }
        case .call(let name, let args, let position):
            return try compileCall(name, args, position, expanding: expanding)
        }
    }

    mutating func compileCall(_ name: String, _ args: [ParsedExpression], _ position: SourcePosition,
                              expanding: [String]) throws(ExpressionError) -> (CompiledExpression.Plan, CompiledExpression.Kind) {
        func arity(_ n: ClosedRange<Int>) throws(ExpressionError) {
            guard n.contains(args.count) else {
                let wanted = n.lowerBound == n.upperBound ? "\(n.lowerBound)" : n.upperBound == Int.max ? "at least \(n.lowerBound)" : "\(n.lowerBound) to \(n.upperBound)"
                throw ExpressionError(position: position, message: "\(name) takes \(wanted) arguments, got \(args.count)")
            }
        }
        if let function = NumericFunction(rawValue: name) {
            try arity(function.arity)
            var numbers: [CompiledExpression.Plan] = []
            for a in args {
                let (p, k) = try compile(a, expanding: expanding)
                try expect(k, .number, a, "\(name) needs numbers")
                numbers.append(p)
            }
            return (.function(function, numbers), .number)
        }
        switch name {
        case "if":
            try arity(3...3)
            let (c, kc) = try compile(args[0], expanding: expanding)
            try expect(kc, .truth, args[0], "the first argument of if must be a condition")
            let (a, ka) = try compile(args[1], expanding: expanding)
            let (b, kb) = try compile(args[2], expanding: expanding)
            try expect(ka, .number, args[1], "if's second and third arguments must be numbers")
            try expect(kb, .number, args[2], "if's second and third arguments must be numbers")
            return (.ifThenElse(c, a, b), .number)
        case "is_missing":
            try arity(1...1)
            let (p, k) = try compile(args[0], expanding: expanding)
            if case .string = k { throw ExpressionError(position: position, message: "is_missing needs a column or expression") }
            return (.isMissing(p), .truth)
        case "in", "starts_with":
            try arity(2...Int.max)
            let (p, k) = try compile(args[0], expanding: expanding)
            var strings: [String] = []
            for a in args.dropFirst() {
                guard case .string(let s, _) = a else {
                    throw ExpressionError(position: a.firstPosition, message: "\(name)'s values after the first must be strings in quotes")
                }
                strings.append(s)
            }
            switch k {
            case .text(let field):
                return (name == "in" ? .textIn(field: field, Set(strings)) : .textStartsWith(field: field, strings), .truth)
            case .category(let field) where name == "in":
                var plan: CompiledExpression.Plan?
                for (s, a) in zip(strings, args.dropFirst()) {
                    let test = CompiledExpression.Plan.compare(.equal, p, .constant(try categoryIndex(field, s, a)))
                    plan = plan.map { .or($0, test) } ?? test
                }
                return (plan!, .truth)
            default:
                throw ExpressionError(position: position, message: "\(name) needs a text\(name == "in" ? " or category" : "") column as its first argument")
            }
        default:
            let known = NumericFunction.allCases.map(\.rawValue) + NumericFunction.specialForms
            throw ExpressionError(position: position, message: "unknown function '\(name)'",
                                  hint: Self.closest(to: name, in: known).map { "did you mean '\($0)'?" })
        }
    }

    /// The value of a number written in the expression (`0.20`, `-5`), nil for anything else.
    package static func literal(_ e: ParsedExpression) -> Double? {
        switch e {
        case .number(let x): x
        case .unary(.negate, .number(let x)): -x
        default: nil
        }
    }

    func categoryIndex(_ field: Int, _ value: String, _ at: ParsedExpression) throws(ExpressionError) -> Double {
        guard case .category(let values) = environment.schema.fields[field].kind else { return .nan }
        let key = RecordSchema.normalise(value)
        if let i = values.firstIndex(where: { $0.normalisedSpellings.contains(key) }) {
            return Double(i)
        }
        throw ExpressionError(position: at.firstPosition,
                              message: "'\(value)' is not a value of \(environment.schema.fields[field].name); use one of " + values.map { "'\($0.code)'" }.joined(separator: ", "))
    }

    func expect(_ kind: CompiledExpression.Kind, _ wanted: CompiledExpression.Kind, _ e: ParsedExpression, _ message: String) throws(ExpressionError) {
        let ok: Bool
        switch (kind, wanted) {
        case (.number, .number), (.category, .number): ok = true  // a category's index is a number
        case (.truth, .truth): ok = true
        default: ok = false
        }
        if !ok { throw ExpressionError(position: e.firstPosition, message: "\(message), found \(Self.describe(kind))") }
    }

    static func describe(_ k: CompiledExpression.Kind) -> String {
        switch k {
        case .number: "a number"
        case .truth: "a condition"
        case .text: "text"
        case .string(let s): "the string '\(s)'"
        case .category: "a category"
        }
    }

    /// The candidate nearest to `name` by edit distance, if it is close enough to be a typo.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let a = Array(name.lowercased())
        var best: (String, Int)?
        for c in candidates {
            let b = Array(c.lowercased())
            var previous = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var row = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(1, b.count) where !b.isEmpty {
                    row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                previous = row
            }
            let d = previous[b.count]
            if d <= max(2, a.count / 3), best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }
}

/// The named definitions already computed over one chunk (with one set of parameters), shared
/// by the expressions evaluated over it. Used by one thread at a time.
package final class EvaluationMemo {
    fileprivate var numbers: [String: ([Double], [Bool])] = [:]
    package init() {}
}

/// Runs a plan over a chunk, one loop per node.
struct Evaluator {
    let chunk: RecordChunk
    let parameters: [String: Double]
    var memo: EvaluationMemo? = nil

    func run(_ plan: CompiledExpression.Plan) -> ExpressionValues {
        switch plan {
        case .compare, .threshold, .and, .or, .not, .isMissing, .textCompare, .textIn, .textStartsWith:
            return .truths(truths(plan))
        default:
            let (v, m) = numbers(plan)
            return .numbers(v, missing: m)
        }
    }

    var n: Int { chunk.rowCount }

    func numbers(_ plan: CompiledExpression.Plan) -> ([Double], [Bool]) {
        switch plan {
        case .constant(let x):
            return ([Double](repeating: x, count: n), [Bool](repeating: false, count: n))
        case .parameter(let name):
            let x = parameters[name]
            return ([Double](repeating: x ?? .nan, count: n), [Bool](repeating: x == nil, count: n))
        case .field(let i):
            guard case .numeric(let c) = chunk.column(i) else { preconditionFailure("text field used as a number") }
            return (c.values, c.missing)
        case .negate(let p):
            var (v, m) = numbers(p)
            for r in 0..<n { v[r] = -v[r] }
            return (v, m)
        case .arithmetic(let op, let a, let b):
            var (va, ma) = numbers(a)
            let (vb, mb) = numbers(b)
            va.withUnsafeMutableBufferPointer { x in
                ma.withUnsafeMutableBufferPointer { m in
                    for r in 0..<n {
                        let y: Double
                        switch op {
                        case .add: y = x[r] + vb[r]
                        case .subtract: y = x[r] - vb[r]
                        case .multiply: y = x[r] * vb[r]
                        default: y = vb[r] == 0 ? .nan : x[r] / vb[r]
                        }
                        let gone = m[r] || mb[r] || !y.isFinite
                        m[r] = gone
                        x[r] = gone ? .nan : y
                    }
                }
            }
            return (va, ma)
        case .ifThenElse(let c, let a, let b):
            let t = truths(c)
            let (va, ma) = numbers(a), (vb, mb) = numbers(b)
            var v = [Double](repeating: .nan, count: n), m = [Bool](repeating: true, count: n)
            for r in 0..<n {
                switch t[r] {
                case .pass: v[r] = va[r]; m[r] = ma[r]
                case .fail: v[r] = vb[r]; m[r] = mb[r]
                case .unknown: break
                }
            }
            return (v, m)
        case .function(let function, let args):
            let values = args.map(numbers)
            var v = values[0].0, m = values[0].1
            for r in 0..<n {
                if m[r] { continue }
                let y = function.apply(v[r], values, row: r)
                if y.isFinite { v[r] = y } else { v[r] = .nan; m[r] = true }
            }
            return (v, m)
        case .named(let name, let p):
            if let known = memo?.numbers[name] { return known }
            let values = numbers(p)
            memo?.numbers[name] = values
            return values
        case .definition:
            preconditionFailure("plans with unexpanded definitions are for export, not evaluation")
        default:
            // A condition used as a number (the index of a category compares as a number).
            preconditionFailure("condition used where a number is needed")
        }
    }

    /// A comparison's operand that needs no column of its own: a field read in place, or one
    /// value for every row (a constant or a parameter; nil when the parameter is not given).
    private enum Operand {
        case field(Int)
        case value(Double?)
        case computed([Double], [Bool])
    }

    private func operand(_ plan: CompiledExpression.Plan) -> Operand {
        switch plan {
        case .constant(let x): return .value(x)
        case .parameter(let name): return .value(parameters[name])
        case .field(let i) where chunk.numericSlot(i) != nil: return .field(i)
        default:
            let (v, m) = numbers(plan)
            return .computed(v, m)
        }
    }

    /// `a op b`, reading fields in place and single values as such: the common form of a rule's
    /// condition (`revenue_y1 >= 2000`) allocates no column but the result. A column against a
    /// value runs one loop specialised for its operator, with no branch inside it; two columns
    /// (rarer) share one loop that switches on the operator.
    private func compareInPlace(_ op: ParsedExpression.BinaryOperator, _ a: Operand, _ b: Operand) -> [Truth] {
        var t = [Truth](repeating: .unknown, count: n)
        let rows = n
        func withColumn<R>(_ x: Operand, _ body: (UnsafePointer<Double>, UnsafePointer<Bool>) -> R) -> R {
            switch x {
            case .value: preconditionFailure("a single value is not a column")
            case .field(let i): return chunk.withNumeric(field: i) { body($0.baseAddress!, $1.baseAddress!) }
            case .computed(let v, let m):
                return v.withUnsafeBufferPointer { v in m.withUnsafeBufferPointer { m in body(v.baseAddress!, m.baseAddress!) } }
            }
        }
        @inline(__always) func compare(_ op: ParsedExpression.BinaryOperator, _ x: Double, _ y: Double) -> Bool {
            switch op {
            case .equal: x == y
            case .notEqual: x != y
            case .less: x < y
            case .lessOrEqual: x <= y
            case .greater: x > y
            default: x >= y
            }
        }
        guard rows > 0 else { return t }
        t.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            @inline(__always) func columnAgainst(_ values: UnsafePointer<Double>, _ missing: UnsafePointer<Bool>, _ c: Double,
                                                 _ op: ParsedExpression.BinaryOperator) {
                switch op {
                case .equal: Comparison.Equal.against(values, missing, c, out, rows)
                case .notEqual: Comparison.NotEqual.against(values, missing, c, out, rows)
                case .less: Comparison.Less.against(values, missing, c, out, rows)
                case .lessOrEqual: Comparison.LessOrEqual.against(values, missing, c, out, rows)
                case .greater: Comparison.Greater.against(values, missing, c, out, rows)
                default: Comparison.GreaterOrEqual.against(values, missing, c, out, rows)
                }
            }
            switch (a, b) {
            case (.value(let x?), .value(let y?)):
                let holds: Truth = compare(op, x, y) ? .pass : .fail
                for r in 0..<rows { out[r] = holds }
            case (.value(nil), _), (_, .value(nil)):
                break  // a parameter that is not given: unknown
            case (_, .value(let c?)):
                withColumn(a) { v, m in columnAgainst(v, m, c, op) }
            case (.value(let c?), _):
                withColumn(b) { v, m in columnAgainst(v, m, c, op.swapped) }
            default:
                withColumn(a) { va, ma in
                    withColumn(b) { vb, mb in
                        for r in 0..<rows {
                            out[r] = Truth.of(compare(op, va[r], vb[r]), missing: ma[r] || mb[r])
                        }
                    }
                }
            }
        }
        return t
    }

    /// `x op c` for a threshold `c`, as ``Threshold`` says: an ordering is the exact comparison
    /// with the band's end that ``Threshold/bound(_:_:)`` gives (`x >= c` is `x >= c − tol`,
    /// `x > c` is `x > c + tol`, …), so it runs the same specialised loops; `==` and `!=` test
    /// both ends of the band.
    private func compareWithThreshold(_ op: ParsedExpression.BinaryOperator, _ x: Operand, _ c: Double) -> [Truth] {
        if let bound = Threshold.bound(op, c) { return compareInPlace(op, x, .value(bound)) }
        var t = [Truth](repeating: .unknown, count: n)
        let rows = n
        guard rows > 0 else { return t }
        let band = Threshold.band(c)
        t.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            func run(_ values: UnsafePointer<Double>, _ missing: UnsafePointer<Bool>) {
                if op == .equal {
                    Comparison.Within.between(values, missing, band.low, band.high, out, rows)
                } else {
                    Comparison.Outside.between(values, missing, band.low, band.high, out, rows)
                }
            }
            switch x {
            case .value(let v?):
                let holds: Truth = Threshold.holds(op, v, c) ? .pass : .fail
                for r in 0..<rows { out[r] = holds }
            case .value(nil):
                break  // a parameter that is not given: unknown
            case .field(let i):
                chunk.withNumeric(field: i) { run($0.baseAddress!, $1.baseAddress!) }
            case .computed(let v, let m):
                v.withUnsafeBufferPointer { v in m.withUnsafeBufferPointer { m in run(v.baseAddress!, m.baseAddress!) } }
            }
        }
        return t
    }

    func truths(_ plan: CompiledExpression.Plan) -> [Truth] {
        switch plan {
        case .compare(let op, let a, let b):
            return compareInPlace(op, operand(a), operand(b))
        case .threshold(let op, let a, let c):
            return compareWithThreshold(op, operand(a), c)
        case .textCompare(let field, let equal, let s):
            return texts(field) { ($0 == s) == equal }
        case .textIn(let field, let set):
            // A handful of values: comparing is cheaper than hashing every row.
            if set.count <= 8 {
                let values = Array(set)
                return texts(field) { values.contains($0) }
            }
            return texts(field) { set.contains($0) }
        case .textStartsWith(let field, let prefixes):
            // ASCII text against ASCII prefixes (industry codes): a byte comparison, which is
            // what hasPrefix's Unicode comparison comes to for ASCII on both sides.
            let asciiPrefixes = prefixes.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } } ? prefixes.map { Array($0.utf8) } : nil
            return texts(field) { text in
                if let asciiPrefixes, let decided = text.utf8.withContiguousStorageIfAvailable({ bytes -> Bool? in
                    guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
                    return asciiPrefixes.contains { p in p.count <= bytes.count && zip(p, bytes).allSatisfy { $0 == $1 } }
                }), let decided {
                    return decided
                }
                return prefixes.contains { text.hasPrefix($0) }
            }
        case .and(let a, let b):
            var ta = truths(a)
            Truth.combine(&ta, truths(b), &&)
            return ta
        case .or(let a, let b):
            var ta = truths(a)
            Truth.combine(&ta, truths(b), ||)
            return ta
        case .not(let a):
            return truths(a).map { !$0 }
        case .isMissing(let p):
            if case .field(let i) = p, case .text(let c) = chunk.column(i) {
                return c.values.map { $0 == nil ? .pass : .fail }
            }
            switch run(p) {
            case .numbers(_, let m): return m.map { $0 ? .pass : .fail }
            case .truths(let t): return t.map { $0 == .unknown ? .pass : .fail }
            }
        default:
            preconditionFailure("number used where a condition is needed")
        }
    }

    func texts(_ field: Int, _ test: (String) -> Bool) -> [Truth] {
        chunk.withTexts(field: field) { values in values.map { $0.map { test($0) ? .pass : .fail } ?? .unknown } }
    }
}

/// The six comparisons as types, so that the loop comparing a column with a value is
/// specialised for each: no call and no branch on the operator per row.
protocol ComparisonOperator {
    static func holds(_ x: Double, _ y: Double) -> Bool
}

extension ComparisonOperator {
    /// `out[r]` = `values[r] op c`, unknown where missing.
    @inline(__always)
    static func against(_ values: UnsafePointer<Double>, _ missing: UnsafePointer<Bool>, _ c: Double,
                        _ out: UnsafeMutablePointer<Truth>, _ rows: Int) {
        for r in 0..<rows { out[r] = Truth.of(holds(values[r], c), missing: missing[r]) }
    }
}

enum Comparison {
    /// `low <= x <= high` (a value within a threshold's band: equal to it). Branch-free: for a
    /// number (not NaN) and `low <= high` at least one of `x >= low`, `x <= high` holds, so
    /// both hold exactly when the two agree.
    enum Within {
        @inline(__always)
        static func between(_ values: UnsafePointer<Double>, _ missing: UnsafePointer<Bool>, _ low: Double, _ high: Double,
                            _ out: UnsafeMutablePointer<Truth>, _ rows: Int) {
            for r in 0..<rows { out[r] = Truth.of((values[r] >= low) == (values[r] <= high), missing: missing[r]) }
        }
    }
    /// Outside `low…high` (not equal to a threshold).
    enum Outside {
        @inline(__always)
        static func between(_ values: UnsafePointer<Double>, _ missing: UnsafePointer<Bool>, _ low: Double, _ high: Double,
                            _ out: UnsafeMutablePointer<Truth>, _ rows: Int) {
            for r in 0..<rows { out[r] = Truth.of((values[r] >= low) != (values[r] <= high), missing: missing[r]) }
        }
    }
    enum Equal: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x == y } }
    enum NotEqual: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x != y } }
    enum Less: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x < y } }
    enum LessOrEqual: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x <= y } }
    enum Greater: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x > y } }
    enum GreaterOrEqual: ComparisonOperator { @inline(__always) static func holds(_ x: Double, _ y: Double) -> Bool { x >= y } }
}

/// The numeric functions of the expression language, in one place: name, arity and value. The
/// parser accepts any call; the compiler checks a function's name and arity here, and the
/// evaluator computes it here. `if`, `is_missing`, `in` and `starts_with` take conditions or
/// strings and are compiled into plans of their own (``specialForms``).
package enum NumericFunction: String, CaseIterable, Sendable {
    case log1p, sqrt, abs, min, max, clip

    /// The functions that are not numeric: compiled by ``ExpressionCompiler`` itself.
    static let specialForms = ["if", "is_missing", "in", "starts_with"]

    var arity: ClosedRange<Int> {
        switch self {
        case .log1p, .sqrt, .abs: 1...1
        case .min, .max: 2...Int.max
        case .clip: 3...3
        }
    }

    /// The value at row `r` given the first argument's value `x` there (not missing) and every
    /// argument's values and missing flags; NaN where the function is undefined or another
    /// argument is missing (the caller turns NaN into missing).
    @inline(__always)
    func apply(_ x: Double, _ arguments: [([Double], [Bool])], row r: Int) -> Double {
        switch self {
        case .log1p: return x > -1 ? logOnePlus(x) : .nan
        case .sqrt: return x >= 0 ? x.squareRoot() : .nan
        case .abs: return Swift.abs(x)
        case .min, .max:
            var y = x
            for (values, missing) in arguments.dropFirst() {
                if missing[r] { return .nan }
                y = self == .min ? Swift.min(y, values[r]) : Swift.max(y, values[r])
            }
            return y
        case .clip:
            let (low, lowMissing) = arguments[1], (high, highMissing) = arguments[2]
            return lowMissing[r] || highMissing[r] ? .nan : Swift.min(Swift.max(x, low[r]), high[r])
        }
    }
}

/// The C library's log1p, under a name that ``NumericFunction/log1p`` does not hide.
@inline(__always)
private func logOnePlus(_ x: Double) -> Double { log1p(x) }
