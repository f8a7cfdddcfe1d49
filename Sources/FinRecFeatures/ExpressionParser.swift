import FinRecBase
import FinRecRecords
import FinRecLinear
/// A parsed expression of FinRec's small language for derived features and eligibility rules.
///
/// ```
/// rd_ratio_2y   = (rd_expense_y1 + rd_expense_y2) / (revenue_y1 + revenue_y2)
/// bse_standard3 = expected_market_value >= 80000 && revenue_y1 >= 20000 && rd_ratio_2y >= 0.08
/// ```
/// Arithmetic (`+ - * /`), comparisons (`== != < <= > >=`), `&&`, `||`, `!`, parentheses, numeric
/// and string literals (`'little_giant'` or `"little_giant"`), column names, and the functions
/// `log1p`, `sqrt`, `min`, `max`, `clip`, `abs`, `if(cond, a, b)`, `is_missing(x)`,
/// `in(x, 'a', 'b', …)` and `starts_with(x, 'J', …)`. Precedence, loosest first: `||`, `&&`, comparisons (not chained),
/// `+ -`, `* /`, unary `- !`; binary operators associate to the left.
package indirect enum ParsedExpression: Sendable, Equatable {
    case number(Double)
    case string(String, position: SourcePosition)
    case column(String, position: SourcePosition)
    case unary(UnaryOperator, ParsedExpression)
    case binary(BinaryOperator, ParsedExpression, ParsedExpression)
    case call(String, [ParsedExpression], position: SourcePosition)

    package enum UnaryOperator: String, Sendable { case negate = "-", not = "!" }

    package enum BinaryOperator: String, Sendable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and = "&&", or = "||"

        package var isComparison: Bool { [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(self) }
        package var isArithmetic: Bool { [.add, .subtract, .multiply, .divide].contains(self) }

        /// The same comparison with its operands exchanged: `c < x` is `x > c`.
        package var swapped: BinaryOperator {
            switch self {
            case .less: .greater
            case .lessOrEqual: .greaterOrEqual
            case .greater: .less
            case .greaterOrEqual: .lessOrEqual
            default: self
            }
        }

        /// The comparison that holds exactly when this one fails (for "5.3% < 8%" messages).
        package var negated: BinaryOperator {
            switch self {
            case .less: .greaterOrEqual
            case .lessOrEqual: .greater
            case .greater: .lessOrEqual
            case .greaterOrEqual: .less
            case .equal: .notEqual
            case .notEqual: .equal
            default: self
            }
        }
    }

    /// Every column or definition name the expression reads, in first-use order.
    package var references: [String] {
        var names: [String] = []
        func walk(_ e: ParsedExpression) {
            switch e {
            case .number, .string: break
            case .column(let name, _): if !names.contains(name) { names.append(name) }
            case .unary(_, let x): walk(x)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .call(_, let args, _): args.forEach(walk)
            }
        }
        walk(self)
        return names
    }
}

/// A 1-based line and column in an expression's text (columns count characters).
package struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    package let line: Int
    package let column: Int
    package var description: String { "\(line):\(column)" }
}

/// A syntax or meaning error in an expression, at a position, with what to do.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    package let position: SourcePosition
    public let message: String
    /// What to do, e.g. "did you mean 'revenue'?".
    package let hint: String?

    package init(position: SourcePosition, message: String, hint: String? = nil) {
        self.position = position
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) at \(position)" + (hint.map { "; \($0)" } ?? "") }
}

/// Parses expression text into an ``ParsedExpression`` tree.
package struct ExpressionParser {
    /// The deepest nesting of parentheses, calls and unary operators accepted.
    package static let maximumDepth = 200

    enum Token: Equatable {
        case number(Double), string(String), identifier(String), symbol(String), end
    }

    struct Located {
        let token: Token
        let position: SourcePosition
    }

    private var tokens: [Located] = []
    private var index = 0
    private var depth = 0

    /// Parses `text`; the whole text must be one expression.
    package static func parse(_ text: String) throws(ExpressionError) -> ParsedExpression {
        var parser = ExpressionParser()
        parser.tokens = try tokenize(text)
        let e = try parser.parseOr()
        guard case .end = parser.current.token else {
            throw ExpressionError(position: parser.current.position, message: "unexpected \(describe(parser.current.token)) after the expression")
        }
        return e
    }

    static func describe(_ t: Token) -> String {
        switch t {
        case .number(let x): "number \(x)"
        case .string(let s): "string '\(s)'"
        case .identifier(let s): "name '\(s)'"
        case .symbol(let s): "'\(s)'"
        case .end: "end of expression"
        }
    }

    static func tokenize(_ text: String) throws(ExpressionError) -> [Located] {
        var out: [Located] = []
        let chars = Array(text)
        var i = 0, line = 1, column = 1
        func advance(_ n: Int = 1) {
            for _ in 0..<n {
                if chars[i] == "\n" { line += 1; column = 1 } else { column += 1 }
                i += 1
            }
        }
        // Unicode properties are looked up only for non-ASCII characters (rules are mostly ASCII).
        func isWhitespace(_ c: Character) -> Bool {
            if let a = c.asciiValue { return a == 0x20 || (0x09...0x0D).contains(a) }
            return c.isWhitespace
        }
        func isDigit(_ c: Character) -> Bool { c.asciiValue.map { (0x30...0x39).contains($0) } ?? false }
        func isLetter(_ c: Character) -> Bool {
            if let a = c.asciiValue { return (0x41...0x5A).contains(a) || (0x61...0x7A).contains(a) }
            return c.isLetter
        }
        func isNumber(_ c: Character) -> Bool { c.asciiValue != nil ? isDigit(c) : c.isNumber }
        while i < chars.count {
            let c = chars[i]
            let here = SourcePosition(line: line, column: column)
            if isWhitespace(c) { advance(); continue }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var j = i
                while j < chars.count, isDigit(chars[j]) || chars[j] == "." { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, isDigit(chars[k]) {
                        j = k
                        while j < chars.count, isDigit(chars[j]) { j += 1 }
                    }
                }
                let literal = String(chars[i..<j])
                guard let x = Double(literal), x.isFinite else {
                    throw ExpressionError(position: here, message: "'\(literal)' is not a number")
                }
                out.append(Located(token: .number(x), position: here))
                advance(j - i)
                continue
            }
            if isLetter(c) || c == "_" {
                var j = i
                while j < chars.count, isLetter(chars[j]) || isNumber(chars[j]) || chars[j] == "_" { j += 1 }
                out.append(Located(token: .identifier(String(chars[i..<j])), position: here))
                advance(j - i)
                continue
            }
            if c == "'" || c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != c, chars[j] != "\n" { j += 1 }
                guard j < chars.count, chars[j] == c else {
                    throw ExpressionError(position: here, message: "a string is never closed; end it with \(c)")
                }
                out.append(Located(token: .string(String(chars[(i + 1)..<j])), position: here))
                advance(j - i + 1)
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
            if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
                out.append(Located(token: .symbol(two), position: here))
                advance(2)
                continue
            }
            if "+-*/()<>!,".contains(c) {
                out.append(Located(token: .symbol(String(c)), position: here))
                advance()
                continue
            }
            let hint: String
            switch c {
            case "=": hint = "; compare with =="
            case "&": hint = "; 'and' is &&"
            case "|": hint = "; 'or' is ||"
            case "（", "）", "，": hint = "; use half-width ( ) ,"
            default: hint = ""
            }
            throw ExpressionError(position: here, message: "unexpected character '\(c)'\(hint)")
        }
        out.append(Located(token: .end, position: SourcePosition(line: line, column: column)))
        return out
    }

    private var current: Located { tokens[index] }

    private mutating func take(_ symbol: String) -> Bool {
        if case .symbol(symbol) = current.token {
            index += 1
            return true
        }
        return false
    }

    private mutating func nest() throws(ExpressionError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw ExpressionError(position: current.position, message: "the expression nests deeper than \(Self.maximumDepth) levels")
        }
    }

    mutating func parseOr() throws(ExpressionError) -> ParsedExpression {
        var e = try parseAnd()
        while take("||") { e = .binary(.or, e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws(ExpressionError) -> ParsedExpression {
        var e = try parseComparison()
        while take("&&") { e = .binary(.and, e, try parseComparison()) }
        return e
    }

    mutating func parseComparison() throws(ExpressionError) -> ParsedExpression {
        let e = try parseAdditive()
        for op in [ParsedExpression.BinaryOperator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] where take(op.rawValue) {
            let right = try parseAdditive()
            if case .symbol(let s) = current.token, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
                throw ExpressionError(position: current.position, message: "comparisons cannot be chained; join them with &&")
            }
            return .binary(op, e, right)
        }
        return e
    }

    mutating func parseAdditive() throws(ExpressionError) -> ParsedExpression {
        var e = try parseMultiplicative()
        while true {
            if take("+") { e = .binary(.add, e, try parseMultiplicative()) }
            else if take("-") { e = .binary(.subtract, e, try parseMultiplicative()) }
            else { return e }
        }
    }

    mutating func parseMultiplicative() throws(ExpressionError) -> ParsedExpression {
        var e = try parseUnary()
        while true {
            if take("*") { e = .binary(.multiply, e, try parseUnary()) }
            else if take("/") { e = .binary(.divide, e, try parseUnary()) }
            else { return e }
        }
    }

    mutating func parseUnary() throws(ExpressionError) -> ParsedExpression {
        if take("-") {
            try nest()
            defer { depth -= 1 }
            return .unary(.negate, try parseUnary())
        }
        if take("!") {
            try nest()
            defer { depth -= 1 }
            return .unary(.not, try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionError) -> ParsedExpression {
        let located = current
        switch located.token {
        case .number(let x):
            index += 1
            return .number(x)
        case .string(let s):
            index += 1
            return .string(s, position: located.position)
        case .identifier(let name):
            index += 1
            guard take("(") else { return .column(name, position: located.position) }
            try nest()
            defer { depth -= 1 }
            var args: [ParsedExpression] = []
            if !take(")") {
                repeat { args.append(try parseOr()) } while take(",")
                guard take(")") else {
                    throw ExpressionError(position: current.position, message: "expected ',' or ')' in the arguments of \(name), found \(Self.describe(current.token))")
                }
            }
            return .call(name, args, position: located.position)
        case .symbol("("):
            index += 1
            try nest()
            defer { depth -= 1 }
            let e = try parseOr()
            guard take(")") else {
                throw ExpressionError(position: current.position, message: "expected ')' to close the '(' at \(located.position), found \(Self.describe(current.token))")
            }
            return e
        default:
            throw ExpressionError(position: located.position, message: "expected a number, a name or '(', found \(Self.describe(located.token))")
        }
    }
}
