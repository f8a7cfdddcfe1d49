import FinRecBase
package import FinRecRecords
import FinRecLinear

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
