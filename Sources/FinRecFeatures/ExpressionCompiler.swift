import FinRecBase
package import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
