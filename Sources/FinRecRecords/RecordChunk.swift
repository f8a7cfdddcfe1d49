import FinRecBase
/// A column of numbers in contiguous Float64 storage with a missing mask.
package struct NumericColumn: Sendable, Equatable {
    /// Values; a missing entry holds NaN, but always test ``missing``.
    package var values: [Double]
    package var missing: [Bool]

    package init(values: [Double] = [], missing: [Bool] = []) {
        precondition(values.count == missing.count)
        self.values = values
        self.missing = missing
    }

    /// The value at `i`, nil when missing.
    package subscript(_ i: Int) -> Double? { missing[i] ? nil : values[i] }
}

/// A column of text values; nil is missing.
package struct TextColumn: Sendable, Equatable {
    package var values: [String?]
    package init(values: [String?] = []) { self.values = values }
    package subscript(_ i: Int) -> String? { values[i] }
}

/// One decoded column of a ``RecordChunk``.
package enum Column: Sendable, Equatable {
    case numeric(NumericColumn)
    case text(TextColumn)
}

/// A chunk of records, column-wise: one column per schema field (missing where the file had no
/// such column), plus the file's unknown columns as raw text, plus each row's source line.
///
/// Storage is flat and column-major (`slot * capacity + row`), filled in place as rows are read;
/// ``column(_:)`` and friends hand out each column as a contiguous array of ``rowCount`` values.
package struct RecordChunk: Sendable {
    enum Slot: Sendable { case numeric(Int), text(Int) }

    package let schema: RecordSchema
    package private(set) var rowCount = 0
    /// For each row, the 1-based line of the file it starts on (JSON arrays: the element number).
    package private(set) var lines: [Int] = []
    /// Columns the schema does not know, kept as text for expressions and reports.
    package let extraNames: [String]

    let slots: [Slot]
    let numericCount: Int
    let textCount: Int
    private(set) var capacity: Int
    private var numbers: [Double]
    private var missing: [Bool]
    private var texts: [String?]
    /// Unknown columns as UTF-8 bytes, one arena per column with each row's end offset and
    /// presence: far cheaper than a String per cell, and made into Strings only when asked.
    private var extraBytes: [[UInt8]]
    private var extraEnds: [[Int]]
    private var extraPresent: [[Bool]]
    /// Extra cells of the row being built by a row-wise reader, stored at commit.
    private var pendingExtras: [String?]

    init(schema: RecordSchema, extraNames: [String], capacity: Int = 1024) {
        self.schema = schema
        var slots: [Slot] = []
        var numeric = 0, text = 0
        for f in schema.fields {
            if f.kind.isNumeric { slots.append(.numeric(numeric)); numeric += 1 } else { slots.append(.text(text)); text += 1 }
        }
        self.slots = slots
        numericCount = numeric
        textCount = text
        self.extraNames = extraNames
        self.capacity = max(1, capacity)
        numbers = [Double](repeating: .nan, count: numeric * self.capacity)
        missing = [Bool](repeating: true, count: numeric * self.capacity)
        texts = [String?](repeating: nil, count: text * self.capacity)
        // Room for a cell per row (and a byte per cell) from the start: no regrowth as rows are added.
        let rows = self.capacity
        extraBytes = extraNames.map { _ in Self.reserved(rows) }
        extraEnds = extraNames.map { _ in Self.reserved(rows) }
        extraPresent = extraNames.map { _ in Self.reserved(rows) }
        pendingExtras = extraNames.map { _ in nil }
    }

    /// The column of field `i` in schema order.
    package func column(_ i: Int) -> Column {
        switch slots[i] {
        case .numeric(let s): .numeric(numericColumn(slot: s))
        case .text(let s): .text(TextColumn(values: Array(texts[(s * capacity)..<(s * capacity + rowCount)])))
        }
    }

    func numericColumn(slot s: Int) -> NumericColumn {
        NumericColumn(values: Array(numbers[(s * capacity)..<(s * capacity + rowCount)]),
                      missing: Array(missing[(s * capacity)..<(s * capacity + rowCount)]))
    }

    /// The numeric column of field `name`.
    /// - Precondition: the schema has a numeric field of that name.
    package func numeric(_ name: String) -> NumericColumn {
        guard let i = schema.index(of: name), case .numeric(let s) = slots[i] else {
            preconditionFailure("schema \(schema.name) has no numeric field \(name)")
        }
        return numericColumn(slot: s)
    }

    /// The text column of field `name`.
    package func text(_ name: String) -> TextColumn {
        guard let i = schema.index(of: name), case .text = slots[i], case .text(let c) = column(i) else {
            preconditionFailure("schema \(schema.name) has no text field \(name)")
        }
        return c
    }

    /// The unknown column number `j` (see ``extraNames``), as text.
    package func extra(_ j: Int) -> TextColumn {
        let bytes = extraBytes[j], ends = extraEnds[j], present = extraPresent[j]
        return TextColumn(values: (0..<rowCount).map { r in
            guard present[r] else { return nil }
            let start = r == 0 ? 0 : ends[r - 1]
            return String(decoding: bytes[start..<ends[r]], as: UTF8.self)
        })
    }

    /// Appends one cell to unknown column `j` (bytes already checked to be UTF-8; nil: missing).
    mutating func appendExtra(_ j: Int, _ cell: UnsafeBufferPointer<UInt8>?) {
        if let cell, !cell.isEmpty {
            extraBytes[j].append(contentsOf: cell)
            extraPresent[j].append(true)
        } else {
            extraPresent[j].append(false)
        }
        extraEnds[j].append(extraBytes[j].count)
    }

    /// An empty array with room for `count` elements.
    private static func reserved<T>(_ count: Int) -> [T] {
        var a: [T] = []
        a.reserveCapacity(count)
        return a
    }

    /// Appends cells to unknown column `j` through `body`, which gets the column's byte arena,
    /// row ends and presence to append to (one end and one presence per row; bytes already
    /// checked to be UTF-8). The arrays are moved out while `body` runs, so appending to them
    /// neither copies them nor checks their uniqueness through the chunk on every cell.
    mutating func appendExtras(_ j: Int, _ body: (_ bytes: inout [UInt8], _ ends: inout [Int], _ present: inout [Bool]) -> Void) {
        var bytes = extraBytes[j], ends = extraEnds[j], present = extraPresent[j]
        (extraBytes[j], extraEnds[j], extraPresent[j]) = ([], [], [])
        body(&bytes, &ends, &present)
        (extraBytes[j], extraEnds[j], extraPresent[j]) = (bytes, ends, present)
    }

    /// A chunk holding only row `r` of this one.
    package func row(_ r: Int) -> RecordChunk {
        precondition(r >= 0 && r < rowCount, "row \(r) is outside a chunk of \(rowCount) rows")
        // A chunk of one row (one applicant) is its own row: no copy.
        if rowCount == 1 && capacity == 1 { return self }
        var one = RecordChunk(schema: schema, extraNames: extraNames, capacity: 1)
        for s in 0..<numericCount {
            one.numbers[s] = numbers[s * capacity + r]
            one.missing[s] = missing[s * capacity + r]
        }
        for s in 0..<textCount { one.texts[s] = texts[s * capacity + r] }
        for j in extraNames.indices {
            let start = r == 0 ? 0 : extraEnds[j][r - 1]
            if extraPresent[j][r] {
                extraBytes[j][start..<extraEnds[j][r]].withContiguousStorageIfAvailable { one.appendExtra(j, $0) }
            } else {
                one.appendExtra(j, nil)
            }
        }
        one.lines = [lines[r]]
        one.rowCount = 1
        return one
    }

    /// The value of field `name` in row `row`.
    package func value(_ name: String, row: Int) -> CellValue {
        guard let i = schema.index(of: name) else { preconditionFailure("no field \(name)") }
        return value(field: i, row: row)
    }

    package func value(field i: Int, row: Int) -> CellValue {
        switch slots[i] {
        case .numeric(let s): return missing[s * capacity + row] ? .missing : .number(numbers[s * capacity + row])
        case .text(let s): return texts[s * capacity + row].map { .text($0) } ?? .missing
        }
    }

    /// The ids of the rows, from the schema's id field (or "line N" where there is none).
    package var ids: [String] {
        guard let idField = schema.idField, let i = schema.index(of: idField), case .text(let s) = slots[i] else {
            return lines.map { "line \($0)" }
        }
        return (0..<rowCount).map { texts[s * capacity + $0] ?? "line \(lines[$0])" }
    }

    /// The names of the rows, from a text field called `name` (nil each where it is missing or
    /// the schema has no such field).
    package var names: [String?] {
        guard let i = schema.index(of: "name"), case .text(let s) = slots[i] else { return Array(repeating: nil, count: rowCount) }
        return (0..<rowCount).map { texts[s * capacity + $0] }
    }

    // MARK: Building rows
    //
    // A row is built in place at index `rowCount`: `beginRow` clears it, `set` fills it,
    // `pendingProblem` checks it and `commitRow` keeps it. A row that is not committed is
    // simply overwritten by the next `beginRow`.

    private var pendingLine = 0

    /// Starts row `rowCount` with every cell missing.
    mutating func beginRow(line: Int) {
        if rowCount == capacity { grow() }
        pendingLine = line
        let row = rowCount, cap = capacity
        numbers.withUnsafeMutableBufferPointer { n in
            missing.withUnsafeMutableBufferPointer { m in
                for s in 0..<numericCount {
                    n[s * cap + row] = .nan
                    m[s * cap + row] = true
                }
            }
        }
        for s in 0..<textCount where texts[s * cap + row] != nil { texts[s * cap + row] = nil }
        for j in pendingExtras.indices { pendingExtras[j] = nil }
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        func relayout<T>(_ old: [T], columns: Int, fill: T) -> [T] {
            var new = [T](repeating: fill, count: columns * newCapacity)
            for c in 0..<columns {
                for r in 0..<rowCount { new[c * newCapacity + r] = old[c * capacity + r] }
            }
            return new
        }
        numbers = relayout(numbers, columns: numericCount, fill: .nan)
        missing = relayout(missing, columns: numericCount, fill: true)
        texts = relayout(texts, columns: textCount, fill: nil)
        capacity = newCapacity
    }

    mutating func set(field i: Int, _ value: CellValue) {
        let row = rowCount
        switch (slots[i], value) {
        case (_, .missing): break
        case (.numeric(let s), .number(let x)):
            numbers[s * capacity + row] = x
            missing[s * capacity + row] = false
        case (.text(let s), .text(let t)):
            texts[s * capacity + row] = t
        default:
            preconditionFailure("field \(schema.fields[i].name): decoded value does not fit its column")
        }
    }

    /// Calls `body` with raw storage for a reader that fills whole columns: numbers and missing
    /// flags at `slot * capacity + row`, texts at `slot * capacity + row` where ``textSlot(_:)``
    /// gives a text field's slot. Unknown columns go through ``appendExtras(_:_:)``, one cell per
    /// row in order.
    mutating func withUnsafeStorage(
        _ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Bool>, UnsafeMutablePointer<String?>, _ capacity: Int) -> Void
    ) {
        let capacity = self.capacity
        numbers.withUnsafeMutableBufferPointer { n in
            missing.withUnsafeMutableBufferPointer { m in
                texts.withUnsafeMutableBufferPointer { t in body(n.baseAddress!, m.baseAddress!, t.baseAddress!, capacity) }
            }
        }
    }

    /// The storage slot of field `i` if it is text.
    func textSlot(_ i: Int) -> Int? {
        if case .text(let s) = slots[i] { return s }
        return nil
    }

    /// Completes a chunk filled through ``withUnsafeStorage(_:)``: `rows` rows, of which those
    /// with `keeping[r]` false are dropped (the rest move up, in order).
    mutating func finish(rows: Int, lines: [Int], keeping: [Bool]) {
        precondition(rows <= capacity && lines.count == rows && keeping.count == rows)
        // All rows kept (the usual case): nothing moves, and the columns are not written, so a
        // chunk that shares them with its decoded original is not copied.
        if !keeping.contains(false) {
            self.lines = lines
            rowCount = rows
            return
        }
        var kept = 0
        for r in 0..<rows where keeping[r] {
            if kept != r {
                for s in 0..<numericCount {
                    numbers[s * capacity + kept] = numbers[s * capacity + r]
                    missing[s * capacity + kept] = missing[s * capacity + r]
                }
                for s in 0..<textCount {
                    texts[s * capacity + kept] = texts[s * capacity + r]
                }
            }
            kept += 1
        }
        self.lines = zip(lines, keeping).filter { $0.1 }.map { $0.0 }
        rowCount = kept
        for s in 0..<textCount {
            for r in kept..<rows { texts[s * capacity + r] = nil }
        }
        if kept < rows {
            for j in extraNames.indices {
                var bytes: [UInt8] = [], ends: [Int] = [], present: [Bool] = []
                for r in 0..<rows where keeping[r] {
                    let start = r == 0 ? 0 : extraEnds[j][r - 1]
                    bytes.append(contentsOf: extraBytes[j][start..<extraEnds[j][r]])
                    ends.append(bytes.count)
                    present.append(extraPresent[j][r])
                }
                extraBytes[j] = bytes
                extraEnds[j] = ends
                extraPresent[j] = present
            }
        }
    }

    /// The storage slot of field `i` if it is numeric.
    package func numericSlot(_ i: Int) -> Int? {
        if case .numeric(let s) = slots[i] { return s }
        return nil
    }

    mutating func set(extra j: Int, _ text: String?) {
        pendingExtras[j] = text
    }

    /// The value of field `i` in the row being built.
    func pending(_ i: Int) -> CellValue { value(field: i, row: rowCount) }

    /// The first problem of the row being built: a required field missing or a failed row check.
    func pendingProblem() -> (field: String, message: String)? {
        problem(row: rowCount)
    }

    /// The first problem of row `row` (required field missing, failed row check), or nil.
    func problem(row: Int) -> (field: String, message: String)? {
        var found: (field: String, message: String)?
        firstProblems(rows: row..<(row + 1)) { _, field, message in found = (field, message) }
        return found
    }

    /// Calls `report` once for each row in `rows` that has a problem, with its first one:
    /// required fields in schema order, then the row checks in order. Column by column, with one
    /// scratch buffer for all rows.
    func firstProblems(rows: Range<Int>, skipping skip: UnsafePointer<Bool>? = nil, _ report: (Int, String, String) -> Void) {
        guard !rows.isEmpty else { return }
        var done = [Bool](repeating: false, count: rows.count)
        if let skip { for r in rows { done[r - rows.lowerBound] = skip[r] } }
        let capacity = self.capacity
        numbers.withUnsafeBufferPointer { numbers in
            missing.withUnsafeBufferPointer { missing in
                for i in schema.requiredFields {
                    for r in rows where !done[r - rows.lowerBound] {
                        let isMissing: Bool
                        switch slots[i] {
                        case .numeric(let s): isMissing = missing[s * capacity + r]
                        case .text(let s): isMissing = texts[s * capacity + r] == nil
                        }
                        if isMissing {
                            done[r - rows.lowerBound] = true
                            report(r, schema.fields[i].name, "\(schema.fields[i].displayName) is required but empty")
                        }
                    }
                }
                let widest = schema.rowCheckFields.map(\.count).max() ?? 0
                withUnsafeTemporaryAllocation(of: Double?.self, capacity: max(widest, 1)) { buffer in
                    let base = buffer.baseAddress!
                    for (check, fields) in zip(schema.rowChecks, schema.rowCheckFields) {
                        let numericSlots = fields.map { numericSlot($0) }
                        for r in rows where !done[r - rows.lowerBound] {
                            for (k, slot) in numericSlots.enumerated() {
                                if let s = slot, !missing[s * capacity + r] {
                                    (base + k).initialize(to: numbers[s * capacity + r])
                                } else {
                                    (base + k).initialize(to: nil)
                                }
                            }
                            let problem = check.check(RowValues(values: UnsafeBufferPointer(start: base, count: fields.count)))
                            base.deinitialize(count: fields.count)
                            if let problem {
                                done[r - rows.lowerBound] = true
                                report(r, problem.field, problem.message)
                            }
                        }
                    }
                }
            }
        }
    }

    /// How many rows miss field `i` (counted in place).
    package func missingCount(field i: Int) -> Int {
        switch slots[i] {
        case .numeric: withNumeric(field: i) { _, missing in missing.reduce(0) { $0 + ($1 ? 1 : 0) } }
        case .text: withTexts(field: i) { texts in texts.reduce(0) { $0 + ($1 == nil ? 1 : 0) } }
        }
    }

    /// Calls `body` with the values and missing flags of numeric field `i` (``rowCount`` each),
    /// read in place.
    /// - Precondition: field `i` is numeric.
    package func withNumeric<R>(field i: Int, _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Bool>) -> R) -> R {
        guard case .numeric(let s) = slots[i] else { preconditionFailure("field \(schema.fields[i].name) is not numeric") }
        let range = (s * capacity)..<(s * capacity + rowCount)
        return numbers.withUnsafeBufferPointer { v in
            missing.withUnsafeBufferPointer { m in body(UnsafeBufferPointer(rebasing: v[range]), UnsafeBufferPointer(rebasing: m[range])) }
        }
    }

    /// Calls `body` with the first `rows` entries of the text column of field `i` (by default
    /// ``rowCount``; more for a chunk filled through ``withUnsafeStorage(_:)`` and not finished).
    /// - Precondition: field `i` is text.
    package func withTexts<R>(field i: Int, upTo rows: Int? = nil, _ body: (UnsafeBufferPointer<String?>) -> R) -> R {
        guard case .text(let s) = slots[i] else { preconditionFailure("field \(schema.fields[i].name) is not text") }
        let rows = rows ?? rowCount
        precondition(rows <= capacity)
        return texts.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(s * capacity)..<(s * capacity + rows)])) }
    }

    /// Keeps the row being built.
    mutating func commitRow() {
        for j in pendingExtras.indices {
            if var text = pendingExtras[j] {
                text.withUTF8 { appendExtra(j, $0) }
            } else {
                appendExtra(j, nil)
            }
        }
        lines.append(pendingLine)
        rowCount += 1
    }
}
