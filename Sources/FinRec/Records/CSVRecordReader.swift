#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a CSV file of records as column-wise ``RecordChunk``s, validating every cell against a
/// ``RecordSchema``.
///
/// - RFC 4180: quoted fields with doubled quotes, embedded commas and line breaks, LF or CRLF.
/// - UTF-8 with or without a byte-order mark; other encodings (GBK/GB18030 from Excel, UTF-16)
///   are refused with the command that converts them.
/// - Headers may use the English snake_case names, the Chinese names or the listed aliases, in
///   any order. Unknown columns are kept as text and reported once in ``report``.
/// - Empty cells are missing, never zero.
///
/// Memory is bounded by the chunk size and the longest record, whatever the file size.
public final class CSVRecordReader {
    public let path: String
    public let schema: RecordSchema
    public let options: ReaderOptions
    /// What was read so far. With a pipelined read (``scanChunk()`` beside ``finalize(_:)`` on
    /// another thread) read it only once both have stopped; ``bytesRead`` is safe meanwhile.
    public var report: ReadReport {
        var r = counts
        r.bytesRead = bytesRead
        return r
    }
    /// Header facts and row counts (kept by the header reader and ``finalize(_:)``).
    private var counts = ReadReport()
    /// Bytes read so far (kept by the scanning side only).
    public private(set) var bytesRead = 0
    /// The header as written in the file.
    public private(set) var header: [String] = []

    /// How the header's columns map onto the schema (set once the header is read).
    private var binding = HeaderBinding.empty
    private let decoders: [CellDecoder]
    private var seenIds = IdSet()
    private var rejects: RejectsWriter?

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the records of the chunk being read start; `refill` keeps those bytes.
    private var chunkBase: Int?
    private var eof = false
    private var line = 1
    /// The longest field accepted, in bytes; longer ones are refused, not loaded.
    public static let maximumFieldBytes = 1 << 20
    private static let blockSize = 1 << 22
    /// Rows decoded together column by column: about 350 KB of a typical enterprise file, so a
    /// block's bytes stay in the L2 cache while each column is parsed.
    static let decodeBlockRows = 1024

    /// Where read(2) puts each block before it is appended to `buffer` (no zero-filling).
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)

    // Field boundaries of the current record (reused).
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var escaped: [Bool] = []
    private var recordStart = 0
    private var recordLine = 1

    public convenience init(path: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(source: .path(path), name: path, schema: schema, options: options)
    }

    /// Reads CSV text already in memory (e.g. standard input); `name` stands for the file in
    /// messages.
    public convenience init(bytes: [UInt8], name: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(source: .bytes(bytes), name: name, schema: schema, options: options)
    }

    private enum Source { case path(String), bytes([UInt8]) }

    private init(source: Source, name: String, schema: RecordSchema, options: ReaderOptions) throws(InputFileError) {
        self.path = name
        self.schema = schema
        self.options = options
        self.decoders = schema.fields.map(CellDecoder.init)
        switch source {
        case .bytes(let bytes):
            fd = -1
            buffer = bytes
            eof = true
            bytesRead = bytes.count
        case .path(let path):
            let opened = open(path, O_RDONLY)
            guard opened >= 0 else {
                let reason = String(cString: strerror(errno))
                block.deallocate()  // deinit does not run for a partly initialised object
                throw InputFileError(path: path, message: "cannot open the file (\(reason)); check the path")
            }
            fd = opened
        }
        var st = stat()
        // From here on every stored property is set, so a throw runs deinit, which closes the
        // file and frees the block.
        if fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputFileError(path: path, message: "is a folder, not a CSV file")
        }
        try refill()
        try readHeader()
        if case .skip(let rejectsPath) = options.policy {
            do {
                rejects = try RejectsWriter(path: rejectsPath)
            } catch {
                throw InputFileError(path: rejectsPath, message: "cannot write the rejects file: \(error.reason)")
            }
            counts.rejectsPath = rejectsPath
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        block.deallocate()
    }

    // MARK: Reading bytes

    private func refill() throws(InputFileError) {
        let discard = min(position, chunkBase ?? position)
        if discard > 0 {
            buffer.removeSubrange(0..<discard)
            position -= discard
            recordStart -= discard
            chunkBase = chunkBase.map { $0 - discard }
            for i in starts.indices {
                starts[i] -= discard
                ends[i] -= discard
            }
        }
        guard !eof else { return }
        while true {
            let n = read(fd, block.baseAddress!, block.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))")
            }
            if n == 0 { eof = true }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(block)[0..<n]))
            bytesRead += n
            return
        }
    }

    // MARK: Header

    private func readHeader() throws(InputFileError) {
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) {
            throw InputFileError(path: path, line: 1, message: "the file is UTF-16; save it as UTF-8 (Excel: Save As → CSV UTF-8), or run `iconv -f UTF-16 -t UTF-8 IN.csv > OUT.csv`")
        }
        guard try scanRecord() else {
            throw InputFileError(path: path, message: "the file is empty; it needs a header line naming the columns, e.g. "
                                 + schema.fields.prefix(4).map(\.name).joined(separator: ","))
        }
        for c in starts.indices {
            let cell = fieldBytes(c)
            let text: String
            do {
                text = try cell.withUnsafeBufferPointer { (b) throws(CellError) -> String in try CellDecoder.text(b) }
            } catch {
                throw InputFileError(path: path, line: recordLine, column: c + 1, message: "the header " + error.message)
            }
            header.append(text.trimmingSpaces)
        }
        if header.count == 1, header[0].contains(";") || header[0].contains("\t") || header[0].contains("，") {
            let delimiter = header[0].contains(";") ? "semicolons" : header[0].contains("\t") ? "tabs" : "full-width commas (，)"
            throw InputFileError(path: path, line: recordLine, message: "the header is one column with \(delimiter) in it; FinRec reads comma-separated files: save as CSV with commas")
        }
        binding = try HeaderBinding(header: header, schema: schema, path: path, line: recordLine,
                                    detectDuplicateIds: options.detectDuplicateIds)
        counts.absentFields = binding.absentFields
        counts.unknownColumns = binding.extraNames
    }

    // MARK: Records

    /// The next chunk of at most `options.chunkRows` valid rows, or nil at the end of the file.
    ///
    /// Works in two passes, like a vectorised reader: the records of the chunk are first split
    /// into cells (offsets into the read buffer), then each column is decoded in one tight loop.
    /// Problems are collected per row, leftmost column first; the first bad row in file order is
    /// the one `.fail` reports.
    public func nextChunk() throws(InputFileError) -> RecordChunk? {
        guard let scanned = try scanChunk() else { return nil }
        return try finalize(decoder.decode(scanned))
    }

    /// Pass 1 of ``nextChunk()``: the next chunk's records split into cells, with a copy of their
    /// bytes, or nil at the end of the file. Call in file order; decode the result on any thread
    /// with ``decoder`` and hand it to ``finalize(_:)`` in file order.
    package func scanChunk() throws(InputFileError) -> ScannedChunk? {
        let columns = header.count
        chunkBase = position
        defer { chunkBase = nil }
        // Pass 1: split records into cells.
        var cellStart: [Int32] = [], cellEnd: [Int32] = []
        var escapedCells: [Int] = []
        var lines: [Int] = [], recordRanges: [(Int, Int)] = []
        var problems: [RowProblem?] = []
        cellStart.reserveCapacity(min(options.chunkRows, 32_768) * columns)
        cellEnd.reserveCapacity(min(options.chunkRows, 32_768) * columns)
        while lines.count < options.chunkRows {
            guard try scanRecord() else { break }
            let base = chunkBase!
            let row = lines.count
            lines.append(recordLine)
            recordRanges.append((recordStart - base, position - base))
            if starts.count == columns {
                for c in 0..<columns {
                    cellStart.append(Int32(starts[c] - base))
                    cellEnd.append(Int32(ends[c] - base))
                    if escaped[c] { escapedCells.append(row * columns + c) }
                }
                problems.append(nil)
            } else {
                cellStart.append(contentsOf: repeatElement(0, count: columns))
                cellEnd.append(contentsOf: repeatElement(0, count: columns))
                problems.append(RowProblem(column: nil, field: nil,
                                           message: "the row has \(starts.count) fields but the header has \(columns); check for a missing or extra comma, or an unquoted comma inside a value"))
            }
        }
        let rows = lines.count
        if rows == 0 && atEnd { return nil }
        // Quoted cells with doubled quotes are decoded from unescaped copies.
        var unescaped: [Int: [UInt8]] = [:]
        let base = chunkBase!
        for cell in escapedCells {
            unescaped[cell] = unescapedBytes(from: base + Int(cellStart[cell]), to: base + Int(cellEnd[cell]))
        }
        let bytes = Array(buffer[base..<position])
        return ScannedChunk(bytes: bytes, columns: columns, cellStart: cellStart, cellEnd: cellEnd, unescaped: unescaped,
                            lines: lines, recordRanges: recordRanges, problems: problems)
    }

    /// Passes 3 and 4, in file order: duplicate ids, then each bad row stops the read (`.fail`) or
    /// goes to the rejects file (`.skip`); the good rows are kept.
    package func finalize(_ decoded: DecodedChunk) throws(InputFileError) -> RecordChunk {
        var chunk = decoded.chunk, problems = decoded.problems
        let scanned = decoded.scanned, rows = scanned.lines.count, lines = scanned.lines
        for r in 0..<rows where problems[r] == nil {
            if let idIndex = binding.idIndex, case .text(let id) = chunk.value(field: idIndex, row: r), !seenIds.insert(id) {
                problems[r] = RowProblem(column: binding.headerColumn[schema.fields[idIndex].name], field: schema.fields[idIndex].name,
                                         message: "the id \(id) appears on an earlier line too; each enterprise must appear once")
            }
        }
        // Pass 4: report or reject the bad rows, keep the good ones.
        var keep = [Bool](repeating: true, count: rows)
        for r in 0..<rows {
            guard let problem = problems[r] else { continue }
            keep[r] = false
            let column = problem.column.map { $0 + 1 }
            guard let rejects else {
                throw InputFileError(path: path, line: lines[r], column: column, field: problem.field, message: problem.message)
            }
            counts.rowsRejected += 1
            var (start, end) = scanned.recordRanges[r]
            while end > start, scanned.bytes[end - 1] == 0x0A || scanned.bytes[end - 1] == 0x0D { end -= 1 }
            let raw = String(decoding: scanned.bytes[start..<end], as: UTF8.self)
            do {
                try rejects.add(line: lines[r], column: column, field: problem.field, reason: problem.message, record: raw)
            } catch {
                throw InputFileError(path: error.path, message: "cannot write the rejects file: \(error.reason)")
            }
        }
        chunk.finish(rows: rows, lines: lines, keeping: keep)
        counts.rowsAccepted += chunk.rowCount
        return chunk
    }


    /// Decodes scanned chunks: what the reader learnt from the header, immutable.
    package var decoder: ChunkDecoder {
        ChunkDecoder(schema: schema, plans: binding.plans, decoders: decoders, header: header, extraNames: binding.extraNames,
                     headerColumn: binding.headerColumn)
    }

    struct RowProblem: Sendable {
        /// 0-based column of the file, nil for the whole row.
        let column: Int?
        let field: String?
        let message: String
    }

    private var atEnd: Bool { eof && position >= buffer.count }

    /// Reads every remaining row into one list of chunks.
    public func readAll() throws(InputFileError) -> [RecordChunk] {
        var chunks: [RecordChunk] = []
        while let chunk = try nextChunk() {
            if chunk.rowCount > 0 { chunks.append(chunk) }
        }
        return chunks
    }

    /// Writes the rejects file (with `.skip`) and returns the report. Call once, after the last chunk.
    public func finish() throws(InputFileError) -> ReadReport {
        if let rejects {
            do { try rejects.writer.commit() } catch {
                throw InputFileError(path: error.path, message: "cannot write the rejects file: \(error.reason)")
            }
        }
        rejects = nil
        return report
    }

    /// The bytes of field `c` of the current record, quotes removed and doubled quotes undone.
    private func fieldBytes(_ c: Int) -> [UInt8] {
        escaped[c] ? unescapedBytes(from: starts[c], to: ends[c]) : Array(buffer[starts[c]..<ends[c]])
    }

    /// The inside of a quoted field at `buffer[start..<end]` with each doubled quote made single.
    private func unescapedBytes(from start: Int, to end: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var i = start
        while i < end {
            bytes.append(buffer[i])
            i += buffer[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return bytes
    }

    /// Finds the next record's field boundaries; false at the end of the file.
    private func scanRecord() throws(InputFileError) -> Bool {
        while true {
            // Skip blank lines.
            while position < buffer.count, buffer[position] == 0x0A || buffer[position] == 0x0D {
                if buffer[position] == 0x0A { line += 1 }
                position += 1
            }
            if position >= buffer.count {
                if eof { return false }
                try refill()
                continue
            }
            switch try scanFrom(position) {
            case .record(let next, let newlines):
                recordLine = line
                line += newlines
                position = next
                return true
            case .needMore:
                if buffer.count - position > options.maximumRecordBytes {
                    throw InputFileError(path: path, line: line,
                                         message: "a record is longer than \(options.maximumRecordBytes) bytes; FinRec refuses it (an unbalanced quote can cause this)")
                }
                try refill()
            }
        }
    }

    private enum ScanResult { case record(next: Int, newlines: Int), needMore }

    private func scanFrom(_ from: Int) throws(InputFileError) -> ScanResult {
        // Fill local arrays (moved out of the properties, so no copy and no per-append
        // exclusivity check) and move them back at the end.
        var starts = self.starts, ends = self.ends, escaped = self.escaped
        self.starts = []
        self.ends = []
        self.escaped = []
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        escaped.removeAll(keepingCapacity: true)
        defer {
            self.starts = starts
            self.ends = ends
            self.escaped = escaped
        }
        recordStart = from
        let eof = self.eof, line = self.line, path = self.path
        let count = buffer.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        return try buffer.withUnsafeBufferPointer { (b) throws(InputFileError) -> ScanResult in
            var i = from
            var newlines = 0
            while true {
                // One field.
                if i < count, b[i] == quote {
                    let fieldStart = i + 1
                    var j = fieldStart
                    var hasDoubled = false
                    while true {
                        guard j < count else {
                            if eof {
                                throw InputFileError(path: path, line: line, column: starts.count + 1,
                                                     message: "a quoted field is never closed; the file ends inside it (an unbalanced quote?)")
                            }
                            return .needMore
                        }
                        let c = b[j]
                        if c == quote {
                            if j + 1 < count, b[j + 1] == quote { hasDoubled = true; j += 2; continue }
                            if j + 1 >= count, !eof { return .needMore }
                            break
                        }
                        if c == lf { newlines += 1 }
                        if c == 0 { throw Self.nulByte(path: path, line: line + newlines) }
                        j += 1
                    }
                    starts.append(fieldStart)
                    ends.append(j)
                    escaped.append(hasDoubled)
                    i = j + 1
                    if i < count, b[i] != comma, b[i] != lf, b[i] != cr {
                        throw InputFileError(path: path, line: line + newlines, column: starts.count,
                                             message: "text after the closing quote of a quoted field; quote the whole field and double the inner quotes (\"\")")
                    }
                } else {
                    let fieldStart = i
                    while i < count {
                        let c = b[i]
                        if c == comma || c == lf || c == cr { break }
                        if c == quote {
                            throw InputFileError(path: path, line: line + newlines, column: starts.count + 1,
                                                 message: "a quote inside an unquoted field; quote the whole field and double the inner quotes (\"\")")
                        }
                        if c == 0 { throw Self.nulByte(path: path, line: line + newlines) }
                        i += 1
                    }
                    if i >= count, !eof { return .needMore }
                    starts.append(fieldStart)
                    ends.append(i)
                    escaped.append(false)
                }
                if ends.last! - starts.last! > Self.maximumFieldBytes {
                    throw InputFileError(path: path, line: line + newlines, column: starts.count,
                                         message: "a field is longer than \(Self.maximumFieldBytes) bytes; FinRec refuses it")
                }
                // After the field: a comma continues the record, a line break or the end ends it.
                if i >= count { return .record(next: i, newlines: newlines) }
                if b[i] == comma { i += 1; continue }
                if b[i] == cr {
                    if i + 1 >= count, !eof { return .needMore }
                    i += (i + 1 < count && b[i + 1] == lf) ? 2 : 1
                } else {
                    i += 1
                }
                return .record(next: i, newlines: newlines + 1)
            }
        }
    }

    private static func nulByte(path: String, line: Int) -> InputFileError {
        InputFileError(path: path, line: line,
                       message: "the file holds a NUL byte: it is binary or UTF-16, not a UTF-8 CSV file")
    }
}
