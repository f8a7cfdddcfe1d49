import FinRecBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One chunk's records split into cells, with their bytes (cell offsets count from `origin`).
package struct ScannedChunk: Sendable {
    let bytes: [UInt8]
    /// Where the chunk's first byte is in `bytes`.
    let origin: Int
    let columns: Int
    /// Cell boundaries, row-major (row × columns + column).
    let cells: CellOffsets
    /// Quoted cells with doubled quotes, unescaped, by cell index (row × columns + column).
    let unescaped: [Int: [UInt8]]
    let lines: [Int]
    /// Each record's first and end byte (line break included), relative to `origin`.
    let recordRanges: [(Int32, Int32)]
    let problems: [CSVRecordReader.RowProblem?]
    package var rowCount: Int { lines.count }
}

/// A decoded chunk before the in-order checks of ``CSVRecordReader/finalize(_:)``.
package struct DecodedChunk: Sendable {
    let scanned: ScannedChunk
    let chunk: RecordChunk
    let problems: [CSVRecordReader.RowProblem?]
}

/// The per-column decoding plan of one CSV file (from its header).
package struct ChunkDecoder: Sendable {
    let schema: RecordSchema
    let decoders: [CellDecoder]
    let header: [String]
    let extraNames: [String]
    let headerColumn: [String: Int]
    private let columnPlans: [ColumnPlan]

    /// How one file column is decoded. The common forms of each kind are decoded inline; any
    /// other cell (spaces around it, "12%", "是", a bad value) goes to its field's
    /// ``CellDecoder``, which accepts it or says why not, so the result is the same either way.
    private enum ColumnPlan: Sendable {
        case ignored
        case extra(Int)
        case number(field: Int, slot: Int, lower: Double, upper: Double, integer: Bool)
        case flag(field: Int, slot: Int)
        case date(field: Int, slot: Int)
        case category(field: Int, slot: Int, CategorySpellings)
        case text(field: Int, slot: Int, maxBytes: Int)
        /// Decoded by the field's decoder only (credit codes).
        case decoder(field: Int, slot: Int)
    }

    init(schema: RecordSchema, plans: [HeaderBinding.Plan], decoders: [CellDecoder], header: [String], extraNames: [String],
         headerColumn: [String: Int]) {
        self.schema = schema
        self.decoders = decoders
        self.header = header
        self.extraNames = extraNames
        self.headerColumn = headerColumn
        let layout = RecordChunk(schema: schema, extraNames: [], capacity: 1)
        columnPlans = plans.map { plan in
            switch plan {
            case .ignored: return .ignored
            case .extra(let j): return .extra(j)
            case .number(let i, let slot, let lower, let upper, let integer):
                return .number(field: i, slot: slot, lower: lower, upper: upper, integer: integer)
            case .numeric(let i, let slot):
                switch schema.fields[i].kind {
                case .flag: return .flag(field: i, slot: slot)
                case .date: return .date(field: i, slot: slot)
                case .category(let values): return .category(field: i, slot: slot, CategorySpellings(values))
                default: return .decoder(field: i, slot: slot)
                }
            case .text(let i):
                guard let slot = layout.textSlot(i) else { return .ignored }
                if case .text(let maxLength) = schema.fields[i].kind { return .text(field: i, slot: slot, maxBytes: maxLength) }
                return .decoder(field: i, slot: slot)
            }
        }
    }

    /// Pass 2 and the row checks: decodes a scanned chunk column by column. Reads nothing of the
    /// reader, so chunks can be decoded on several threads at once.
    package func decode(_ scanned: ScannedChunk) -> DecodedChunk {
        let rows = scanned.lines.count, columns = scanned.columns
        let cellStart = scanned.cells.start, cellEnd = scanned.cells.end, unescaped = scanned.unescaped
        let anyEscaped = !unescaped.isEmpty
        var problems = scanned.problems
        // Rows with a problem so far: plain memory, not an array the nested functions capture
        // (which would be boxed and access-checked on every cell).
        let bad = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(rows, 1))
        defer { bad.deallocate() }
        for r in 0..<rows { bad[r] = problems[r] != nil }
        var chunk = RecordChunk(schema: schema, extraNames: extraNames, capacity: max(rows, 1))
        let extraColumns = columnPlans.enumerated().compactMap { c, plan -> (Int, Int)? in
            if case .extra(let j) = plan { return (c, j) }
            return nil
        }
        /// A bad cell becomes its row's problem (the leftmost, as columns are decoded in order).
        func note(_ r: Int, _ c: Int, _ field: Int, _ message: String) {
            if !bad[r] {
                bad[r] = true
                problems[r] = CSVRecordReader.RowProblem(column: c, field: schema.fields[field].name, message: message)
            }
        }
        // Decode in blocks of rows whose bytes fit in the L2 cache, column by column.
        for blockStart in stride(from: 0, to: rows, by: CSVRecordReader.decodeBlockRows) {
            let block = blockStart..<min(rows, blockStart + CSVRecordReader.decodeBlockRows)
            chunk.withUnsafeStorage { numbers, missing, texts, capacity in
                scanned.bytes.withUnsafeBufferPointer { whole in
                    let data = whole.baseAddress! + scanned.origin, readable = whole.count - scanned.origin
                    /// Cell (r, c): its bytes in the chunk, or its unescaped copy.
                    @inline(__always) func cell<R>(_ r: Int, _ c: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
                        let k = r * columns + c
                        if anyEscaped, let bytes = unescaped[k] { return bytes.withUnsafeBufferPointer(body) }
                        return body(UnsafeBufferPointer(start: data + Int(cellStart[k]), count: Int(cellEnd[k] &- cellStart[k])))
                    }
                    /// An empty cell is missing (a quoted empty cell too; an escaped one is never empty).
                    @inline(__always) func isEmpty(_ r: Int, _ c: Int) -> Bool {
                        let k = r * columns + c
                        return cellEnd[k] == cellStart[k]
                    }
                    /// The field's decoder, for the cells the inline forms do not cover.
                    func slow(_ r: Int, _ c: Int, _ i: Int) -> CellValue? {
                        cell(r, c) { bytes in
                            do throws(CellError) { return try decoders[i].decode(bytes) } catch {
                                note(r, c, i, error.message)
                                return nil
                            }
                        }
                    }
                    for c in 0..<columns {
                        switch columnPlans[c] {
                        case .ignored, .extra:
                            continue  // unknown columns below, straight into the chunk's byte arenas
                        case .number(let i, let slot, let lower, let upper, let integer):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where !bad[r] {
                                let k = r * columns + c, start = Int(cellStart[k]), count = Int(cellEnd[k] &- cellStart[k])
                                if count == 0 { continue }
                                // Short plain numbers eight bytes at a time where eight bytes can be read.
                                let x: Double? = if !anyEscaped, start &+ 8 <= readable, let x = CellDecoder.parseShortDecimal(data + start, count: count) {
                                    x
                                } else {
                                    cell(r, c, CellDecoder.parseDecimal)
                                }
                                if let x, x >= lower, x <= upper, !integer || CellDecoder.isWhole(x) { out[r] = x; gone[r] = false }
                                // Spaces, "12%", or a bad cell: the decoder handles it or says why.
                                else if case .number(let x)? = slow(r, c, i) { out[r] = x; gone[r] = false }
                            }
                        case .flag(let i, let slot):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where !bad[r] && !isEmpty(r, c) {
                                let value: Double? = cell(r, c) { bytes in
                                    bytes.count == 1 && (bytes[0] == 0x30 || bytes[0] == 0x31) ? Double(bytes[0] &- 0x30) : nil
                                }
                                if let value { out[r] = value; gone[r] = false }
                                else if case .number(let x)? = slow(r, c, i) { out[r] = x; gone[r] = false }
                            }
                        case .date(let i, let slot):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where !bad[r] && !isEmpty(r, c) {
                                if let days = cell(r, c, CellDecoder.parseDate) { out[r] = Double(days); gone[r] = false }
                                else if case .number(let x)? = slow(r, c, i) { out[r] = x; gone[r] = false }
                            }
                        case .category(let i, let slot, let spellings):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where !bad[r] && !isEmpty(r, c) {
                                if let k = cell(r, c, spellings.match) { out[r] = Double(k); gone[r] = false }
                                else if case .number(let x)? = slow(r, c, i) { out[r] = x; gone[r] = false }
                            }
                        case .text(let i, let slot, let maxBytes):
                            let out = texts + slot * capacity
                            for r in block where !bad[r] && !isEmpty(r, c) {
                                let text: String? = cell(r, c) { bytes in
                                    guard let first = bytes.first, let last = bytes.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09,
                                          bytes.count <= maxBytes, UTF8Validation.isValidUTF8(bytes) else { return nil }
                                    return String(decoding: bytes, as: UTF8.self)
                                }
                                if let text { out[r] = text }
                                else if case .text(let t)? = slow(r, c, i) { out[r] = t }
                            }
                        case .decoder(let i, let slot):
                            if schema.fields[i].kind.isNumeric {
                                let out = numbers + slot * capacity, gone = missing + slot * capacity
                                for r in block where !bad[r] {
                                    if case .number(let x)? = slow(r, c, i) { out[r] = x; gone[r] = false }
                                }
                            } else {
                                let out = texts + slot * capacity
                                for r in block where !bad[r] {
                                    if case .text(let t)? = slow(r, c, i) { out[r] = t }
                                }
                            }
                        }
                    }
                }
            }
            // Unknown columns: UTF-8-checked bytes into the chunk's arenas, one cell per row.
            if !extraColumns.isEmpty {
                scanned.bytes.withUnsafeBufferPointer { whole in
                    let data = whole.baseAddress! + scanned.origin
                    for (c, j) in extraColumns {
                        chunk.appendExtras(j) { arena, ends, present in
                            /// Appends the cell to the arena if it is UTF-8; false if not.
                            func take(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
                                guard UTF8Validation.isValidUTF8(bytes) else { return false }
                                if bytes.count == 1 { arena.append(bytes[0]) } else { arena.append(contentsOf: bytes) }  // one byte: flags and codes, mostly
                                return true
                            }
                            for r in block {
                                let k = r * columns + c
                                var taken = false
                                // An empty cell is missing (an escaped one is never empty).
                                if !bad[r], cellEnd[k] != cellStart[k] {
                                    taken = if anyEscaped, let escaped = unescaped[k] { escaped.withUnsafeBufferPointer(take) } else {
                                        take(UnsafeBufferPointer(start: data + Int(cellStart[k]), count: Int(cellEnd[k] &- cellStart[k])))
                                    }
                                    if !taken {
                                        bad[r] = true
                                        problems[r] = CSVRecordReader.RowProblem(column: c, field: header[c],
                                                                 message: CellDecoder.notTextMessage)
                                    }
                                }
                                present.append(taken)
                                ends.append(arena.count)
                            }
                        }
                    }
                }
            }
        }
        // Required fields and row checks.
        chunk.firstProblems(rows: 0..<rows, skipping: UnsafePointer(bad.baseAddress)) { r, field, message in
            problems[r] = CSVRecordReader.RowProblem(column: headerColumn[field], field: field, message: message)
        }
        return DecodedChunk(scanned: scanned, chunk: chunk, problems: problems)
    }
}

/// The exact UTF-8 spellings of a category's values (code and Chinese name), in one byte arena,
/// matched without building a String.
struct CategorySpellings: Sendable {
    private let arena: [UInt8]
    /// Spelling k is `arena[offsets[k]..<offsets[k + 1]]`.
    private let offsets: [Int]
    private let values: [Int]

    init(_ categories: [CategoryValue]) {
        var arena: [UInt8] = [], offsets = [0], values: [Int] = []
        for (i, v) in categories.enumerated() {
            for spelling in [v.code, v.chinese] {
                arena.append(contentsOf: spelling.utf8)
                offsets.append(arena.count)
                values.append(i)
            }
        }
        self.arena = arena
        self.offsets = offsets
        self.values = values
    }

    /// The value index the bytes spell exactly, or nil (other spellings go to the decoder).
    func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        arena.withUnsafeBufferPointer { a in
            offsets.withUnsafeBufferPointer { o in
                for k in 0..<values.count where o[k + 1] - o[k] == bytes.count {
                    if bytes.isEmpty || memcmp(a.baseAddress! + o[k], bytes.baseAddress!, bytes.count) == 0 { return values[k] }
                }
                return nil
            }
        }
    }
}
