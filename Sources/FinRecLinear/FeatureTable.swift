import FinRecBase
package import FinRecRecords
import FoundationEssentials

/// A table of numeric model features read from CSV: one row per entity, one column per
/// feature of a ``LinearModel``, in the model's order, plus an optional row id.
///
/// The header names the columns; they may come in any order. A column named `id` (or
/// `enterprise_id`) is kept as the row id; any other column that is not a model
/// feature is reported in ``ignoredColumns``. Every feature cell must be a finite
/// decimal number: this table feeds the scorer directly, so nothing is coerced. The file is
/// read by ``CSVRecordReader``, with its quoting rules and its errors.
package struct FeatureTable: Sendable {
    package let path: String
    package let featureNames: [String]
    package let ids: [String]
    package let rows: Matrix<Double>
    package let ignoredColumns: [String]

    /// Reads `path` for the features `featureNames`.
    package static func read(path: String, featureNames: [String]) throws(InputFileError) -> FeatureTable {
        let schema = RecordSchema.numeric(featureNames)
        var options = ReaderOptions()
        options.detectDuplicateIds = false
        let reader = try CSVRecordReader(path: path, schema: schema, options: options)
        var values: [Double] = []
        var ids: [String] = []
        let columns = featureNames.map { schema.index(of: $0)! }
        while let chunk = try reader.nextChunk() {
            let features = columns.map { i -> NumericColumn in
                guard case .numeric(let c) = chunk.column(i) else { preconditionFailure("feature columns are numeric") }
                return c
            }
            values.reserveCapacity(values.count + chunk.rowCount * featureNames.count)
            for r in 0..<chunk.rowCount {
                for c in features { values.append(c.values[r]) }
            }
            ids += chunk.ids
        }
        let report = try reader.finish()
        return FeatureTable(path: path, featureNames: featureNames, ids: ids,
                            rows: Matrix(rows: ids.count, columns: featureNames.count, elements: values),
                            ignoredColumns: report.unknownColumns)
    }
}
