import Foundation

/// A table of numeric model features read from CSV: one row per entity, one column per
/// feature of a ``LinearModel``, in the model's order, plus an optional row id.
///
/// The header names the columns; they may come in any order. A column named `id` (or
/// `enterprise_id`) is kept as the row id; any other column that is not a model
/// feature is reported in ``ignoredColumns``. Every feature cell must be a finite
/// decimal number: this table feeds the scorer directly, so nothing is coerced.
public struct FeatureTable: Sendable {
    public let path: String
    public let featureNames: [String]
    public let ids: [String]
    public let rows: Matrix<Double>
    public let ignoredColumns: [String]

    /// Reads `path` for the features `featureNames`.
    public static func read(path: String, featureNames: [String]) throws(InputFileError) -> FeatureTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputFileError(path: path, message: "cannot read the file (\((error as NSError).localizedFailureReason ?? "\(error)")); check the path")
        }
        return try parse(Array(data), path: path, featureNames: featureNames)
    }

    /// Parses CSV bytes; `path` is used in errors.
    public static func parse(_ bytes: [UInt8], path: String, featureNames: [String]) throws(InputFileError) -> FeatureTable {
        var tokenizer = CSVTokenizer(bytes: bytes)
        do {
            guard let header = try tokenizer.next() else {
                throw InputFileError(path: path, message: "the file is empty; it needs a header line naming the features \(featureNames.joined(separator: ", "))")
            }
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            var columnOf: [String: Int] = [:]
            for (c, name) in names.enumerated() {
                if columnOf[name] != nil {
                    throw InputFileError(path: path, line: header.line, column: c + 1, field: name,
                                         message: "the column \"\(name)\" appears twice in the header; remove one")
                }
                columnOf[name] = c
            }
            var featureColumns: [Int] = []
            for name in featureNames {
                guard let c = columnOf[name] else {
                    throw InputFileError(path: path, line: header.line, field: name,
                                         message: "the header has no column \"\(name)\", which the model needs; the model's features are \(featureNames.joined(separator: ", "))")
                }
                featureColumns.append(c)
            }
            let idColumn = columnOf["id"] ?? columnOf["enterprise_id"]
            let used = Set(featureColumns + (idColumn.map { [$0] } ?? []))
            let ignored = names.enumerated().filter { !used.contains($0.offset) }.map(\.element)

            var values: [Double] = []
            var ids: [String] = []
            var rowCount = 0
            while let record = try tokenizer.next() {
                guard record.fields.count == names.count else {
                    throw InputFileError(path: path, line: record.line,
                                         message: "the row has \(record.fields.count) fields but the header has \(names.count); check for a missing or extra comma")
                }
                for (j, c) in featureColumns.enumerated() {
                    let text = record.fields[c].trimmingCharacters(in: .whitespaces)
                    guard !text.isEmpty else {
                        throw InputFileError(path: path, line: record.line, column: c + 1, field: featureNames[j],
                                             message: "the value is empty; every model feature needs a number")
                    }
                    guard let x = Double(text), x.isFinite, text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else {
                        throw InputFileError(path: path, line: record.line, column: c + 1, field: featureNames[j],
                                             message: "\"\(text)\" is not a finite decimal number (write e.g. 1234.5, without thousands separators or units)")
                    }
                    values.append(x)
                }
                rowCount += 1
                ids.append(idColumn.map { record.fields[$0] } ?? String(rowCount))
            }
            return FeatureTable(path: path, featureNames: featureNames, ids: ids,
                                rows: Matrix(rows: rowCount, columns: featureNames.count, elements: values),
                                ignoredColumns: ignored)
        } catch let e as CSVTokenizer.SyntaxError {
            throw InputFileError(path: path, line: e.line, column: e.column, message: e.message)
        } catch let e as InputFileError {
            throw e
        } catch {
            throw InputFileError(path: path, message: "\(error)")
        }
    }
}

/// Bad input in a user's file: where (file, line, column, field) and what to do.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let column: Int?
    public let field: String?
    public let message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = path
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let field { place += " (\(field))" }
        return "\(place): \(message)"
    }
}
