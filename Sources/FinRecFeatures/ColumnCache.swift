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
    /// By slot: the column, once evaluated.
    private let columns: Mutex<[ExpressionValues?]>

    package init(chunk: RecordChunk, parameters: [String: Double]) {
        self.chunk = chunk
        self.parameters = parameters
        columns = Mutex([])
    }

    /// The values of `expression` (known by `slot`) for every row of the chunk.
    package func values(_ slot: Int, _ expression: CompiledExpression) -> ExpressionValues {
        if let known = columns.withLock({ slot < $0.count ? $0[slot] : nil }) { return known }
        return evaluate(slot, expression)
    }

    /// Evaluates the column of `slot` and keeps it. Outside the lock: two threads asking at once
    /// both compute the same column.
    private func evaluate(_ slot: Int, _ expression: CompiledExpression) -> ExpressionValues {
        let computed = expression.evaluate(chunk, parameters: parameters)
        columns.withLock { columns in
            if slot >= columns.count { columns.append(contentsOf: repeatElement(nil, count: slot + 1 - columns.count)) }
            columns[slot] = computed
        }
        return computed
    }

    /// The number `expression` gives in `row`; nil when missing (or not a number).
    package func number(_ slot: Int, _ expression: CompiledExpression, row: Int) -> Double? {
        // Read in place under the lock (an explanation asks for a handful of cells of many columns).
        let known: Double?? = columns.withLock { columns in
            guard slot < columns.count else { return nil }
            switch columns[slot] {
            case .numbers(let values, let missing)?: return .some(missing[row] ? nil : values[row])
            case .truths?: return .some(nil)
            case nil: return nil
            }
        }
        if let known { return known }
        guard case .numbers(let values, let missing) = evaluate(slot, expression), !missing[row] else { return nil }
        return values[row]
    }

    /// The truth `expression` gives in `row` (`.unknown` for an expression that is not a condition).
    package func truth(_ slot: Int, _ expression: CompiledExpression, row: Int) -> Truth {
        guard case .truths(let truths) = values(slot, expression) else { return .unknown }
        return truths[row]
    }
}
