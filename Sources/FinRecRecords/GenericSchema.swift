package import FinRecBase
/// Schemas for data that are not enterprise records: any CSV whose columns are plain numbers or
/// text (categories). Used to train and evaluate models on other data with their own feature spec.
package enum GenericSchema {
    /// The name generic schemas carry (model files store their fields; enterprise models do not).
    package static let name = "generic"

    /// A schema of `numeric` and `text` columns; `idField` (a text column) labels rows and must be
    /// unique.
    package static func make(numeric: [String], text: [String], idField: String? = nil) -> RecordSchema {
        var fields: [FieldSpec] = []
        for column in numeric {
            fields.append(FieldSpec(column, column, .number(-1e300...1e300, unit: ""), "A number (inferred from the data)."))
        }
        for column in text {
            fields.append(FieldSpec(column, column, .text(maxLength: 10_000), required: column == idField, "Text (inferred from the data)."))
        }
        return RecordSchema(name: name, fields: fields, idField: idField)
    }

    /// Infers the schema of a CSV file from its header and first `sampleRows` rows: a column is
    /// numeric when every non-empty sampled cell is a finite decimal number, text otherwise.
    /// Columns in `excluding` (the labels) are left out, so readers keep them as extra columns. A
    /// text column named `id` becomes the id field.
    package static func infer(csvPath path: String, excluding: Set<String>, sampleRows: Int = 32_768) throws(InputFileError) -> RecordSchema {
        let empty = RecordSchema(name: name, fields: [])
        var options = ReaderOptions()
        options.chunkRows = sampleRows
        options.detectDuplicateIds = false
        let reader = try CSVRecordReader(path: path, schema: empty, options: options)
        for label in excluding.sorted() where !reader.header.contains(label) {
            throw InputFileError(path: path, line: 1, field: label,
                                 message: "the header has no column \(label) to take labels from; the columns are " + reader.header.joined(separator: ", "))
        }
        let sample = try reader.nextChunk()
        var numeric: [String] = [], text: [String] = []
        for column in reader.header where !column.isEmpty && !excluding.contains(column) {
            guard let extra = sample?.extraNames.firstIndex(of: column), let cells = sample?.extra(extra).values else {
                numeric.append(column)  // no rows to tell: numbers, the stricter reading
                continue
            }
            let isNumber = cells.allSatisfy { cell in
                guard let cell else { return true }
                return Double(cell.trimmingSpaces).map(\.isFinite) ?? false
            }
            if isNumber { numeric.append(column) } else { text.append(column) }
        }
        return make(numeric: numeric, text: text, idField: text.contains("id") ? "id" : nil)
    }

    /// The schema's fields as stored in a model file.
    package static func encode(_ schema: RecordSchema) -> JSONValue {
        let fields: [JSONValue] = schema.fields.map { f in
            let kind: String
            if case .text = f.kind { kind = "text" } else { kind = "number" }
            return .object(JSONObject([("name", .string(f.name)), ("kind", .string(kind))]))
        }
        return .object(JSONObject([("fields", .array(fields)), ("id_field", schema.idField.map(JSONValue.string) ?? .null)]))
    }

    /// The schema stored by ``encode(_:)``, or a message saying what is wrong.
    package static func decode(_ json: JSONValue) -> Result<RecordSchema, SchemaDecodingError> {
        guard case .object(let o) = json, case .array(let fields)? = o["fields"] else {
            return .failure(SchemaDecodingError(message: "expected {\"fields\": [...], \"id_field\": ...}"))
        }
        var numeric: [String] = [], text: [String] = []
        for (i, item) in fields.enumerated() {
            guard case .object(let f) = item, case .string(let name)? = f["name"], case .string(let kind)? = f["kind"], kind == "number" || kind == "text" else {
                return .failure(SchemaDecodingError(message: "fields[\(i)] needs a name and a kind (number or text)"))
            }
            if kind == "number" { numeric.append(name) } else { text.append(name) }
        }
        var idField: String?
        if case .string(let id)? = o["id_field"] { idField = id }
        return .success(make(numeric: numeric, text: text, idField: idField))
    }
}

package struct SchemaDecodingError: Error, Sendable {
    package let message: String
}
