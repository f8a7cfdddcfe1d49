/// A column of numbers in contiguous Float64 storage with a missing mask.
public struct NumericColumn: Sendable, Equatable {
    /// Values; a missing entry holds NaN, but always test ``missing``.
    public var values: [Double]
    public var missing: [Bool]

    public init(values: [Double] = [], missing: [Bool] = []) {
        precondition(values.count == missing.count)
        self.values = values
        self.missing = missing
    }

    /// The value at `i`, nil when missing.
    public subscript(_ i: Int) -> Double? { missing[i] ? nil : values[i] }
}

/// A column of text values; nil is missing.
public struct TextColumn: Sendable, Equatable {
    public var values: [String?]
    public init(values: [String?] = []) { self.values = values }
    public subscript(_ i: Int) -> String? { values[i] }
}

/// One decoded column of a ``RecordChunk``.
public enum Column: Sendable, Equatable {
    case numeric(NumericColumn)
    case text(TextColumn)
}

/// A chunk of records, column-wise: one column per schema field (missing where the file had no
/// such column), plus the file's unknown columns as raw text, plus each row's source line.
public struct RecordChunk: Sendable {
    enum Slot: Sendable { case numeric(Int), text(Int) }

    public let schema: RecordSchema
    public internal(set) var rowCount = 0
    /// For each row, the 1-based line of the file it starts on (JSON arrays: the element number).
    public internal(set) var lines: [Int] = []
    /// Columns the schema does not know, kept as text for expressions and reports.
    public let extraNames: [String]
    public internal(set) var extras: [TextColumn]

    let slots: [Slot]
    var numericValues: [[Double]]
    var numericMissing: [[Bool]]
    var textValues: [[String?]]

    init(schema: RecordSchema, extraNames: [String], capacity: Int = 0) {
        self.schema = schema
        var slots: [Slot] = []
        var numeric = 0, text = 0
        for f in schema.fields {
            if f.kind.isNumeric { slots.append(.numeric(numeric)); numeric += 1 } else { slots.append(.text(text)); text += 1 }
        }
        self.slots = slots
        func reserved<T>(_ t: T.Type) -> [T] { var a = [T](); a.reserveCapacity(capacity); return a }
        numericValues = (0..<numeric).map { _ in reserved(Double.self) }
        numericMissing = (0..<numeric).map { _ in reserved(Bool.self) }
        textValues = (0..<text).map { _ in reserved(String?.self) }
        self.extraNames = extraNames
        self.extras = extraNames.map { _ in TextColumn() }
        lines.reserveCapacity(capacity)
    }

    /// The column of field `i` in schema order.
    public func column(_ i: Int) -> Column {
        switch slots[i] {
        case .numeric(let s): .numeric(NumericColumn(values: numericValues[s], missing: numericMissing[s]))
        case .text(let s): .text(TextColumn(values: textValues[s]))
        }
    }

    /// The numeric column of field `name`.
    /// - Precondition: the schema has a numeric field of that name.
    public func numeric(_ name: String) -> NumericColumn {
        guard let i = schema.index(of: name), case .numeric(let s) = slots[i] else {
            preconditionFailure("schema \(schema.name) has no numeric field \(name)")
        }
        return NumericColumn(values: numericValues[s], missing: numericMissing[s])
    }

    /// The text column of field `name`.
    public func text(_ name: String) -> TextColumn {
        guard let i = schema.index(of: name), case .text(let s) = slots[i] else {
            preconditionFailure("schema \(schema.name) has no text field \(name)")
        }
        return TextColumn(values: textValues[s])
    }

    /// The value of field `name` in row `row`, as the reader decoded it.
    public func value(_ name: String, row: Int) -> CellValue {
        guard let i = schema.index(of: name) else { preconditionFailure("no field \(name)") }
        switch slots[i] {
        case .numeric(let s): return numericMissing[s][row] ? .missing : .number(numericValues[s][row])
        case .text(let s): return textValues[s][row].map { .text($0) } ?? .missing
        }
    }

    /// The ids of the rows, from the schema's id field (or line numbers where there is none).
    public var ids: [String] {
        guard let idField = schema.idField, let i = schema.index(of: idField), case .text(let s) = slots[i] else {
            return lines.map(String.init)
        }
        return zip(textValues[s], lines).map { $0 ?? "line \($1)" }
    }

    // MARK: Building rows

    mutating func beginRow(line: Int) {
        lines.append(line)
        for s in numericValues.indices {
            numericValues[s].append(.nan)
            numericMissing[s].append(true)
        }
        for s in textValues.indices { textValues[s].append(nil) }
        for j in extras.indices { extras[j].values.append(nil) }
    }

    mutating func set(field i: Int, _ value: CellValue) {
        let row = lines.count - 1
        switch (slots[i], value) {
        case (_, .missing): break
        case (.numeric(let s), .number(let x)):
            numericValues[s][row] = x
            numericMissing[s][row] = false
        case (.text(let s), .text(let t)):
            textValues[s][row] = t
        default:
            preconditionFailure("field \(schema.fields[i].name): decoded value does not fit its column")
        }
    }

    mutating func set(extra j: Int, _ text: String?) {
        extras[j].values[lines.count - 1] = text
    }

    /// The numeric value of field `i` in the row being built.
    func current(_ i: Int) -> Double? {
        guard case .numeric(let s) = slots[i] else { return nil }
        let row = lines.count - 1
        return numericMissing[s][row] ? nil : numericValues[s][row]
    }

    /// Completes the row: required fields present and row checks pass, or the problem.
    mutating func endRow() -> (field: String, message: String)? {
        let row = lines.count - 1
        for (i, f) in schema.fields.enumerated() where f.required {
            let isMissing: Bool
            switch slots[i] {
            case .numeric(let s): isMissing = numericMissing[s][row]
            case .text(let s): isMissing = textValues[s][row] == nil
            }
            if isMissing { return (f.name, "\(f.displayName) is required but empty") }
        }
        if !schema.rowChecks.isEmpty {
            let snapshot = self  // shares storage; released before the next mutation, so no copy
            let values = RowValues(schema: schema, value: { snapshot.current($0) })
            for check in schema.rowChecks {
                if let problem = check.check(values) { return problem }
            }
        }
        rowCount += 1
        return nil
    }

    /// Removes the row being built.
    mutating func abortRow() {
        lines.removeLast()
        for s in numericValues.indices {
            numericValues[s].removeLast()
            numericMissing[s].removeLast()
        }
        for s in textValues.indices { textValues[s].removeLast() }
        for j in extras.indices { extras[j].values.removeLast() }
    }
}
