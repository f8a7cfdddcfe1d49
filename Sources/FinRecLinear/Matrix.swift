import FinRecBase
import FinRecRecords
/// A dense row-major matrix: the chunk of feature rows the scorer and trainer work on.
///
/// Element (i, j) lives at `storage[i * columns + j]`, so one row is contiguous and
/// a whole chunk is one block that BLAS reads with leading dimension `columns`.
///
/// Its operations are `@inlinable`: the features, training and inference modules use it with
/// `Double` and `Float`, and a generic call across a module boundary would not be specialised
/// (measured: 10% of `finrec rank` went to unspecialised copies before).
package struct Matrix<T: KernelScalar>: Sendable, Equatable {
    package let rows: Int
    package let columns: Int
    /// Row-major elements; `storage.count == rows * columns`.
    @usableFromInline package private(set) var storage: [T]

    /// A `rows × columns` matrix with every element set to `value`.
    @inlinable
    package init(rows: Int, columns: Int, repeating value: T = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        let count = rows * columns
        // Not `[T](repeating:count:)`: called across modules it ran unspecialised, copying each
        // element through a value witness (4.5% of `finrec rank`); the usual zero is one fill.
        self.storage = [T](unsafeUninitializedCapacity: count) { elements, initialized in
            if value == 0, value.sign == .plus {
                elements.initializeToZero()
            } else {
                elements.initialize(repeating: value)
            }
            initialized = count
        }
    }

    /// A `rows × columns` matrix over row-major `elements`.
    @inlinable
    package init(rows: Int, columns: Int, elements: [T]) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative, got \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "A \(rows)×\(columns) matrix needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// A matrix whose rows are `rows`; every row must have the same length.
    @inlinable
    package init(rowArrays: [[T]], columns: Int) {
        var elements: [T] = []
        elements.reserveCapacity(rowArrays.count * columns)
        for (i, row) in rowArrays.enumerated() {
            precondition(row.count == columns, "Row \(i) has \(row.count) elements, expected \(columns)")
            elements.append(contentsOf: row)
        }
        self.init(rows: rowArrays.count, columns: columns, elements: elements)
    }

    @inlinable
    package subscript(row: Int, column: Int) -> T {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) is outside a \(rows)×\(columns) matrix")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) is outside a \(rows)×\(columns) matrix")
            storage[row * columns + column] = newValue
        }
    }

    /// The elements of row `i`.
    @inlinable
    package func row(_ i: Int) -> ArraySlice<T> {
        precondition(i >= 0 && i < rows, "Row \(i) is outside a matrix of \(rows) rows")
        return storage[(i * columns)..<((i + 1) * columns)]
    }

    /// This matrix with every element converted to `U` (rounding to nearest).
    @inlinable
    package func converted<U: KernelScalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, columns: columns, elements: storage.map { U($0) })
    }

    @inlinable
    package func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<T>) throws(E) -> R
    ) throws(E) -> R {
        // Array's own closure API is rethrows, not typed; keep the error type through a Result.
        let result: Result<R, E> = storage.withUnsafeBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @inlinable
    package mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<T>) throws(E) -> R
    ) throws(E) -> R {
        let result: Result<R, E> = storage.withUnsafeMutableBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
