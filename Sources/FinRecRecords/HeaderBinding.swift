import FinRecBase
/// How the columns of a CSV header map onto a schema: which field each column fills (by English
/// name, Chinese name or alias, in any order), which are unknown (kept as text), which schema
/// fields are absent, and how each column is decoded.
package struct HeaderBinding: Sendable {
    /// How one file column is decoded: plain numbers inline, everything else by its field's decoder.
    package enum Plan: Sendable, Equatable {
        case ignored
        /// An unknown column, kept as text: its index among ``extraNames``.
        case extra(Int)
        /// An integer, number or ratio field: parsed and range-checked in place.
        case number(field: Int, slot: Int, lower: Double, upper: Double, integer: Bool)
        case numeric(field: Int, slot: Int)
        case text(field: Int)
    }

    /// Per file column.
    package let plans: [Plan]
    /// The unknown columns' names, in file order.
    package let extraNames: [String]
    /// Schema fields with no column (none of them required).
    package let absentFields: [String]
    /// For each bound schema field name, its column (0-based) in the file.
    package let headerColumn: [String: Int]
    /// The schema index of the id field when duplicate ids are checked (text ids only).
    package let idIndex: Int?

    static let empty = HeaderBinding(plans: [], extraNames: [], absentFields: [], headerColumn: [:], idIndex: nil)

    private init(plans: [Plan], extraNames: [String], absentFields: [String], headerColumn: [String: Int], idIndex: Int?) {
        self.plans = plans
        self.extraNames = extraNames
        self.absentFields = absentFields
        self.headerColumn = headerColumn
        self.idIndex = idIndex
    }

    /// Binds `header` (trimmed cell texts) to `schema`. Throws, naming the column, for a field
    /// named twice, an unknown column named twice, or a required field with no column.
    package init(header: [String], schema: RecordSchema, path: String, line: Int, detectDuplicateIds: Bool) throws(InputFileError) {
        var seen: [Int: Int] = [:]
        var extras: [String] = []
        var columnFields: [Int?] = []
        for (c, name) in header.enumerated() {
            if let i = schema.fieldIndex(forHeader: name) {
                if let first = seen[i] {
                    throw InputFileError(path: path, line: line, column: c + 1, field: schema.fields[i].name,
                                         message: "columns \(first + 1) (\"\(header[first])\") and \(c + 1) (\"\(name)\") both name \(schema.fields[i].displayName); remove one")
                }
                seen[i] = c
                columnFields.append(i)
            } else if name.isEmpty {
                columnFields.append(nil)
            } else {
                if extras.contains(name) {
                    throw InputFileError(path: path, line: line, column: c + 1, field: name,
                                         message: "the column \"\(name)\" appears twice in the header; remove one")
                }
                columnFields.append(nil)
                extras.append(name)
            }
        }
        var absent: [String] = []
        for (i, f) in schema.fields.enumerated() where seen[i] == nil {
            if f.required {
                throw InputFileError(path: path, line: line, field: f.name,
                                     message: "the header has no column for \(f.displayName), which is required; name it \(f.name) or \(f.chineseName)")
            }
            absent.append(f.name)
        }
        let layout = RecordChunk(schema: schema, extraNames: [], capacity: 1)
        var extraIndex = 0
        plans = zip(header, columnFields).map { name, field in
            guard let i = field else {
                if name.isEmpty { return .ignored }
                defer { extraIndex += 1 }
                return .extra(extraIndex)
            }
            guard let slot = layout.numericSlot(i) else { return .text(field: i) }
            switch schema.fields[i].kind {
            case .integer(let r): return .number(field: i, slot: slot, lower: r.lowerBound, upper: r.upperBound, integer: true)
            case .number(let r, _), .ratio(let r): return .number(field: i, slot: slot, lower: r.lowerBound, upper: r.upperBound, integer: false)
            default: return .numeric(field: i, slot: slot)
            }
        }
        extraNames = extras
        absentFields = absent
        headerColumn = Dictionary(uniqueKeysWithValues: seen.map { (schema.fields[$0.key].name, $0.value) })
        if detectDuplicateIds, let idField = schema.idField, let i = schema.index(of: idField), !schema.fields[i].kind.isNumeric {
            idIndex = i
        } else {
            idIndex = nil
        }
    }
}
