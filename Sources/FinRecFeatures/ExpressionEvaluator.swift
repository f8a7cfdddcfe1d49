import FinRecBase
package import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The named definitions already computed over one chunk (with one set of parameters), shared
/// by the expressions evaluated over it. Used by one thread at a time.
package final class EvaluationMemo {
    fileprivate var numbers: [String: ([Double], [Bool])] = [:]
    /// The same for a chunk of one row, as ``RowEvaluator`` computes them (nil: missing).
    fileprivate var scalars: [String: Double?] = [:]
    package init() {}
}

/// Runs a plan for one row, with no column per node: what ``Evaluator`` gives for that row of a
/// one-row chunk (an applicant), without its arrays. Every case follows the column loop it
/// mirrors: the same arithmetic, the same threshold bands, the same unknowns.
struct RowEvaluator {
    let chunk: RecordChunk
    let row: Int
    let parameters: [String: Double]
    var memo: EvaluationMemo? = nil

    func run(_ plan: CompiledExpression.Plan) -> ExpressionValues {
        if Self.isCondition(plan) { return .truths([truth(plan)]) }
        let x = number(plan)
        return .numbers([x ?? .nan], missing: [x == nil])
    }

    static func isCondition(_ plan: CompiledExpression.Plan) -> Bool {
        switch plan {
        case .compare, .threshold, .and, .or, .not, .isMissing, .textCompare, .textIn, .textStartsWith: true
        default: false
        }
    }

    /// The value, nil when missing.
    func number(_ plan: CompiledExpression.Plan) -> Double? {
        switch plan {
        case .constant(let x):
            return x
        case .parameter(let name):
            return parameters[name]
        case .field(let i):
            switch chunk.value(field: i, row: row) {
            case .number(let x): return x
            case .missing: return nil
            case .text: preconditionFailure("text field used as a number")
            }
        case .negate(let p):
            return number(p).map { -$0 }
        case .arithmetic(let op, let a, let b):
            guard let x = number(a), let z = number(b) else { return nil }
            let y: Double
            switch op {
            case .add: y = x + z
            case .subtract: y = x - z
            case .multiply: y = x * z
            default: y = z == 0 ? .nan : x / z
            }
            return y.isFinite ? y : nil
        case .ifThenElse(let c, let a, let b):
            switch truth(c) {
            case .pass: return number(a)
            case .fail: return number(b)
            case .unknown: return nil
            }
        case .function(let function, let args):
            let values = args.map { arg -> ([Double], [Bool]) in
                let x = number(arg)
                return ([x ?? .nan], [x == nil])
            }
            guard !values[0].1[0] else { return nil }
            let y = function.apply(values[0].0[0], values, row: 0)
            return y.isFinite ? y : nil
        case .named(let name, let p):
            if let known = memo?.scalars[name] { return known }
            let value = number(p)
            memo?.scalars[name] = .some(value)
            return value
        case .definition:
            preconditionFailure("plans with unexpanded definitions are for export, not evaluation")
        default:
            preconditionFailure("condition used where a number is needed")
        }
    }

    /// A comparison's operand as ``Evaluator`` reads it: a single value (a constant, or a
    /// parameter, nil when not given) or a value of the row (nil when missing).
    private func operand(_ plan: CompiledExpression.Plan) -> (single: Bool, value: Double?) {
        switch plan {
        case .constant(let x): (true, x)
        case .parameter(let name): (true, parameters[name])
        default: (false, number(plan))
        }
    }

    private static func compare(_ op: ParsedExpression.BinaryOperator, _ x: Double, _ y: Double) -> Bool { holds(op, x, y) }

    func truth(_ plan: CompiledExpression.Plan) -> Truth {
        switch plan {
        case .compare(let op, let a, let b):
            guard let x = operand(a).value, let y = operand(b).value else { return .unknown }
            return Self.compare(op, x, y) ? .pass : .fail
        case .threshold(let op, let a, let c):
            let (single, value) = operand(a)
            guard let v = value else { return .unknown }
            if let bound = Threshold.bound(op, c) { return Self.compare(op, v, bound) ? .pass : .fail }
            if single { return Threshold.holds(op, v, c) ? .pass : .fail }
            let band = Threshold.band(c)
            let within = (v >= band.low) == (v <= band.high)
            return (op == .equal ? within : !within) ? .pass : .fail
        case .textCompare(let field, let equal, let s):
            return text(field).map { ($0 == s) == equal ? .pass : .fail } ?? .unknown
        case .textIn(let field, let set):
            return text(field).map { set.contains($0) ? .pass : .fail } ?? .unknown
        case .textStartsWith(let field, let prefixes):
            return text(field).map { t in prefixes.contains { t.hasPrefix($0) } ? .pass : .fail } ?? .unknown
        case .and(let a, let b):
            return truth(a) && truth(b)
        case .or(let a, let b):
            return truth(a) || truth(b)
        case .not(let a):
            return !truth(a)
        case .isMissing(let p):
            if case .field(let i) = p, chunk.numericSlot(i) == nil {
                return text(i) == nil ? .pass : .fail
            }
            if Self.isCondition(p) { return truth(p) == .unknown ? .pass : .fail }
            return number(p) == nil ? .pass : .fail
        default:
            preconditionFailure("number used where a condition is needed")
        }
    }

    private func text(_ field: Int) -> String? {
        if case .text(let t) = chunk.value(field: field, row: row) { return t }
        return nil
    }
}

/// `x op y` for a comparison operator (`>=` for any other), exactly.
@inline(__always)
func holds(_ op: ParsedExpression.BinaryOperator, _ x: Double, _ y: Double) -> Bool {
    switch op {
    case .equal: x == y
    case .notEqual: x != y
    case .less: x < y
    case .lessOrEqual: x <= y
    case .greater: x > y
    default: x >= y
    }
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
            // One branch-free loop per operation, so that it is vectorised (a ratio's divisions
            // were a tenth of `rank`'s eligibility, one at a time behind a switch per row). A
            // division by zero gives an infinity or NaN, so it is missing like any result that
            // is not finite. The masks are read as bytes (a Bool is 0 or 1) and or-ed without
            // branches.
            @inline(__always) func combine(_ f: (Double, Double) -> Double) {
                va.withUnsafeMutableBufferPointer { x in
                    ma.withUnsafeMutableBufferPointer { m in
                        vb.withUnsafeBufferPointer { y in
                            mb.withUnsafeBufferPointer { my in
                                m.withMemoryRebound(to: UInt8.self) { m in
                                    my.withMemoryRebound(to: UInt8.self) { my in
                                        for r in 0..<n {
                                            let z = f(x[r], y[r])
                                            let gone = m[r] | my[r] | (z.isFinite ? 0 : 1)
                                            m[r] = gone
                                            x[r] = gone != 0 ? .nan : z
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            switch op {
            case .add: combine(+)
            case .subtract: combine(-)
            case .multiply: combine(*)
            default: combine(/)
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
        @inline(__always) func compare(_ op: ParsedExpression.BinaryOperator, _ x: Double, _ y: Double) -> Bool { holds(op, x, y) }
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
