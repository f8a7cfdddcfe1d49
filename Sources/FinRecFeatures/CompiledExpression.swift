import FinRecBase
package import FinRecRecords
import FinRecLinear
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        // One applicant: the row evaluated without a column per node.
        if chunk.rowCount == 1 { return RowEvaluator(chunk: chunk, row: 0, parameters: parameters, memo: memo).run(plan) }
        return Evaluator(chunk: chunk, parameters: parameters, memo: memo).run(plan)
    }

    /// Evaluates over every row of `chunk` a column at a time, whatever its size (the one-row
    /// shortcut of ``evaluate(_:parameters:memo:)`` is checked against this).
    package func evaluateColumns(_ chunk: RecordChunk, parameters: [String: Double] = [:], memo: EvaluationMemo? = nil) -> ExpressionValues {
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
