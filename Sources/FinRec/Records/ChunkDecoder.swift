/// One chunk's records split into cells, with its own copy of their bytes (offsets are into it).
package struct ScannedChunk: Sendable {
    let bytes: [UInt8]
    let columns: Int
    let cellStart: [Int32], cellEnd: [Int32]
    /// Quoted cells with doubled quotes, unescaped, by cell index (row × columns + column).
    let unescaped: [Int: [UInt8]]
    let lines: [Int]
    let recordRanges: [(Int, Int)]
    let problems: [CSVRecordReader.RowProblem?]
    public var rowCount: Int { lines.count }
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
    let plans: [HeaderBinding.Plan]
    let decoders: [CellDecoder]
    let header: [String]
    let extraNames: [String]
    let headerColumn: [String: Int]

    /// Pass 2 and the row checks: decodes a scanned chunk column by column. Reads nothing of the
    /// reader, so chunks can be decoded on several threads at once.
    public func decode(_ scanned: ScannedChunk) -> DecodedChunk {
        let rows = scanned.lines.count, columns = scanned.columns
        let cellStart = scanned.cellStart, cellEnd = scanned.cellEnd, unescaped = scanned.unescaped
        var problems = scanned.problems
        // Pass 2: decode column by column.
        var chunk = RecordChunk(schema: schema, extraNames: extraNames, capacity: max(rows, 1))
        let extraColumns = plans.enumerated().compactMap { c, plan -> (Int, Int)? in
            if case .extra(let j) = plan { return (c, j) }
            return nil
        }
        // Decode in blocks of rows whose bytes fit in the L2 cache, column by column.
        for blockStart in stride(from: 0, to: rows, by: CSVRecordReader.decodeBlockRows) {
            let block = blockStart..<min(rows, blockStart + CSVRecordReader.decodeBlockRows)
            chunk.withUnsafeStorage { numbers, missing, texts, capacity, textBase in
                scanned.bytes.withUnsafeBufferPointer { data in
                    let anyEscaped = !unescaped.isEmpty
                    func cell(_ r: Int, _ c: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
                        let k = r * columns + c
                        if anyEscaped, let bytes = unescaped[k] {
                            bytes.withUnsafeBufferPointer(body)
                        } else {
                            body(UnsafeBufferPointer(rebasing: data[Int(cellStart[k])..<Int(cellEnd[k])]))
                        }
                    }
                    func note(_ r: Int, _ c: Int, _ field: String, _ message: String) {
                        if problems[r] == nil { problems[r] = CSVRecordReader.RowProblem(column: c, field: field, message: message) }
                    }
                    /// Decodes cell (r, c) as schema field i and hands the value to `store`; a bad
                    /// cell becomes the row's problem.
                    func decodeCell(_ r: Int, _ c: Int, _ i: Int, _ store: (CellValue) -> Void) {
                        cell(r, c) { bytes in
                            do throws(CellError) { store(try decoders[i].decode(bytes)) } catch { note(r, c, schema.fields[i].name, error.message) }
                        }
                    }
                    for c in 0..<columns {
                        switch plans[c] {
                        case .ignored:
                            continue
                        case .number(let i, let slot, let lower, let upper, let integer):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where problems[r] == nil {
                                let k = r * columns + c
                                let start = Int(cellStart[k]), end = Int(cellEnd[k])
                                if start == end { continue }  // empty: stays missing
                                if !anyEscaped || unescaped[k] == nil, let x = CellDecoder.parseDecimal(UnsafeBufferPointer(rebasing: data[start..<end])),
                                   x >= lower, x <= upper, !integer || x == x.rounded() {
                                    out[r] = x
                                    gone[r] = false
                                    continue
                                }
                                // Spaces, "12%", or a bad cell: the decoder handles it or says why.
                                decodeCell(r, c, i) { if case .number(let x) = $0 { out[r] = x; gone[r] = false } }
                            }
                        case .numeric(let i, let slot):
                            let out = numbers + slot * capacity, gone = missing + slot * capacity
                            for r in block where problems[r] == nil {
                                decodeCell(r, c, i) { if case .number(let x) = $0 { out[r] = x; gone[r] = false } }
                            }
                        case .text(let i):
                            guard let slot = textBase(i) else { continue }
                            let out = texts + slot * capacity
                            for r in block where problems[r] == nil {
                                decodeCell(r, c, i) { if case .text(let t) = $0 { out[r] = t } }
                            }
                        case .extra:
                            continue  // below, straight into the chunk's byte arenas
                        }
                    }
                }
            }
            // Unknown columns: UTF-8-checked bytes into the chunk's arenas, one cell per row.
            if !extraColumns.isEmpty {
                scanned.bytes.withUnsafeBufferPointer { data in
                    for (c, j) in extraColumns {
                        for r in block {
                            let k = r * columns + c
                            guard problems[r] == nil else { chunk.appendExtra(j, nil); continue }
                            func append(_ bytes: UnsafeBufferPointer<UInt8>) {
                                if CellDecoder.isValidUTF8(bytes) {
                                    chunk.appendExtra(j, bytes)
                                } else {
                                    chunk.appendExtra(j, nil)
                                    problems[r] = CSVRecordReader.RowProblem(column: c, field: header[c],
                                                             message: "the cell holds bytes that are not UTF-8; convert the file with `iconv -f GB18030 -t UTF-8 IN.csv > OUT.csv`")
                                }
                            }
                            if let bytes = unescaped[k] {
                                bytes.withUnsafeBufferPointer(append)
                            } else {
                                append(UnsafeBufferPointer(rebasing: data[Int(cellStart[k])..<Int(cellEnd[k])]))
                            }
                        }
                    }
                }
            }
        }
        // Required fields and row checks.
        for r in 0..<rows where problems[r] == nil {
            if let problem = chunk.problem(row: r) {
                problems[r] = CSVRecordReader.RowProblem(column: headerColumn[problem.field], field: problem.field, message: problem.message)
            }
        }
        return DecodedChunk(scanned: scanned, chunk: chunk, problems: problems)
    }
}
