package import FinRecRecords
import Synchronization

/// Expressions evaluated over a whole chunk the first time any row asks for them, then kept.
///
/// The explanations of one applicant (the value a failed condition read, a step's state, how far
/// a comparison falls short) read one row of expressions that the eligibility pass did not keep.
/// Evaluating them on a one-row copy of the chunk costs a copy of every field per row and
/// question; evaluating each once per chunk, a column at a time, and indexing the column costs a
/// loop iteration. Slots are numbered by whoever compiled the expressions (``EligibilityEvaluator``).
package final class ColumnCache: Sendable {
    package let chunk: RecordChunk
    package let parameters: [String: Double]
    private let columns: Mutex<[Int: ExpressionValues]>

    package init(chunk: RecordChunk, parameters: [String: Double]) {
        self.chunk = chunk
        self.parameters = parameters
        columns = Mutex([:])
    }

    /// The values of `expression` (known by `slot`) for every row of the chunk.
    package func values(_ slot: Int, _ expression: CompiledExpression) -> ExpressionValues {
        if let known = columns.withLock({ $0[slot] }) { return known }
        // Evaluated outside the lock: two threads asking at once both compute the same column.
        let computed = expression.evaluate(chunk, parameters: parameters)
        columns.withLock { $0[slot] = computed }
        return computed
    }

    /// The number `expression` gives in `row`; nil when missing (or not a number).
    package func number(_ slot: Int, _ expression: CompiledExpression, row: Int) -> Double? {
        guard case .numbers(let values, let missing) = values(slot, expression), !missing[row] else { return nil }
        return values[row]
    }

    /// The truth `expression` gives in `row` (`.unknown` for an expression that is not a condition).
    package func truth(_ slot: Int, _ expression: CompiledExpression, row: Int) -> Truth {
        guard case .truths(let truths) = values(slot, expression) else { return .unknown }
        return truths[row]
    }
}
