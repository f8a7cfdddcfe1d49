import FinRecBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a CSV file of records as column-wise ``RecordChunk``s, validating every cell against a
/// ``RecordSchema``.
///
/// - RFC 4180: quoted fields with doubled quotes, embedded commas and line breaks, LF or CRLF.
/// - UTF-8 with or without a byte-order mark; a file whose first 4 MiB are not UTF-8 is read as
///   GB18030 (Excel's CSV on Chinese Windows), UTF-16 with a byte-order mark as Excel's
///   tab-separated "Unicode text" (see ``TextEncoding``); ``report`` says which.
/// - Headers may use the English snake_case names, the Chinese names or the listed aliases, in
///   any order. Unknown columns are kept as text and reported once in ``report``.
/// - Empty cells are missing, never zero.
///
/// Memory is bounded by the chunk size and the longest record, whatever the file size.
package final class CSVRecordReader {
    package let path: String
    package let schema: RecordSchema
    package let options: ReaderOptions
    /// What was read so far. With a pipelined read (``scanChunk()`` beside ``finalize(_:)`` on
    /// another thread) read it only once both have stopped; ``bytesRead`` is safe meanwhile.
    package var report: ReadReport {
        var r = counts
        r.bytesRead = bytesRead
        return r
    }
    /// Header facts and row counts (kept by the header reader and ``finalize(_:)``).
    private var counts = ReadReport()
    /// Bytes read so far (kept by the scanning side only).
    package private(set) var bytesRead = 0
    /// The header as written in the file.
    package private(set) var header: [String] = []

    /// How the header's columns map onto the schema (set once the header is read).
    private var binding = HeaderBinding.empty
    private let decoders: [CellDecoder]
    private var seenIds = IdSet()
    private var rejects: RejectsWriter?

    private let fd: Int32
    /// Turns a file that is not UTF-8 into UTF-8 as it is read (nil for UTF-8).
    private var transcoder: Transcoder?
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the records of the chunk being read start; `refill` keeps those bytes.
    private var chunkBase: Int?
    private var eof = false
    private var line = 1
    /// The longest field accepted, in bytes; longer ones are refused, not loaded.
    package static let maximumFieldBytes = 1 << 20
    private static let blockSize = 1 << 22
    /// Rows decoded together column by column: about 350 KB of a typical enterprise file, so a
    /// block's bytes stay in the L2 cache while each column is parsed.
    static let decodeBlockRows = 1024

    /// The bytes the last chunk spanned: the next refill reads that much and an eighth more at
    /// once, so a chunk's records usually arrive in one read straight into its own buffer.
    private var lastChunkBytes = 0

    /// Largest span of bytes one chunk may hold, so cell offsets fit in 32 bits.
    static let maximumChunkBytes = 1 << 30

    package convenience init(path: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(source: .path(path), name: path, schema: schema, options: options)
    }

    /// Reads CSV text already in memory (e.g. standard input); `name` stands for the file in
    /// messages.
    package convenience init(bytes: [UInt8], name: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(source: .bytes(bytes), name: name, schema: schema, options: options)
    }

    private enum Source { case path(String), bytes([UInt8]) }

    private init(source: Source, name: String, schema: RecordSchema, options: ReaderOptions) throws(InputFileError) {
        self.path = name
        self.schema = schema
        self.options = options
        self.decoders = schema.decoders
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
                throw InputFileError(path: path, message: "cannot open the file (\(reason)); check the path")
            }
            fd = opened
        }
        var st = stat()
        // From here on every stored property is set, so a throw runs deinit, which closes the file.
        if fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputFileError(path: path, message: "is a folder, not a CSV file")
        }
        try refill()
        if let advice = buffer.withUnsafeBufferPointer(TextEncoding.workbookAdvice) { throw InputFileError(path: path, message: advice) }
        let (encoding, mark) = buffer.withUnsafeBufferPointer { TextEncoding.sniff($0, complete: eof) }
        counts.encoding = encoding
        if encoding == .utf8 {
            position = mark  // past a byte-order mark
        } else {
            let converter = Transcoder(encoding, csv: true)
            let raw = buffer
            buffer = []
            raw.withUnsafeBufferPointer { converter.convert(UnsafeBufferPointer(rebasing: $0[mark...]), final: eof, into: &buffer) }
            transcoder = converter
            options.onEncoding?(path, encoding)
        }
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
    }

    // MARK: Reading bytes

    /// Drops the bytes before the chunk being split (or before `position`) and reads more: one
    /// block, or what the last chunk spanned and an eighth more, in one go, straight into a new
    /// buffer that starts with the bytes kept (no copy of what is read).
    private func refill() throws(InputFileError) {
        let discard = min(position, chunkBase ?? position)
        defer {
            position -= discard
            chunkBase = chunkBase.map { $0 - discard }
        }
        guard !eof else {
            if discard > 0 { buffer.removeSubrange(0..<discard) }
            return
        }
        let kept = buffer.count - discard
        let want = max(Self.blockSize, lastChunkBytes + lastChunkBytes / 8 - kept)
        if let transcoder {
            let fd = self.fd
            var raw = [UInt8](repeating: 0, count: want)
            let got: Int, ended: Bool
            do throws(FileReadFailure) {
                (got, ended) = try raw.withUnsafeMutableBufferPointer { (b) throws(FileReadFailure) in try FileBytes.fill(fd, b.baseAddress!, want) }
            } catch {
                throw InputFileError(path: path, message: "cannot read the file (\(error.reason))")
            }
            var fresh: [UInt8] = []
            fresh.reserveCapacity(kept + got + got / 2)
            fresh.append(contentsOf: buffer[discard...])
            raw.withUnsafeBufferPointer { transcoder.convert(UnsafeBufferPointer(rebasing: $0[..<got]), final: ended, into: &fresh) }
            buffer = fresh
            bytesRead += got
            eof = ended
            return
        }
        let fd = self.fd
        var outcome: Result<Bool, FileReadFailure> = .success(false)
        buffer = buffer.withUnsafeBufferPointer { old in
            Array(unsafeUninitializedCapacity: kept + want) { fresh, count in
                if kept > 0 { fresh.baseAddress!.initialize(from: old.baseAddress! + discard, count: kept) }
                count = kept
                do throws(FileReadFailure) {
                    let (got, ended) = try FileBytes.fill(fd, fresh.baseAddress! + kept, want)
                    count += got
                    outcome = .success(ended)
                } catch {
                    outcome = .failure(error)
                }
            }
        }
        bytesRead += buffer.count - kept
        switch outcome {
        case .success(let ended): eof = ended
        case .failure(let error): throw InputFileError(path: path, message: "cannot read the file (\(error.reason))")
        }
    }

    // MARK: Header

    private func readHeader() throws(InputFileError) {
        chunkBase = position
        defer { chunkBase = nil }
        var split = SplitRecords(columns: nil, capacity: 64)
        try fill(&split, rows: 1)
        guard let headerLine = split.lines.first else {
            throw InputFileError(path: path, message: "the file is empty; it needs a header line naming the columns, e.g. "
                                 + schema.fields.prefix(4).map(\.name).joined(separator: ","))
        }
        let base = chunkBase!
        for c in 0..<split.cells.count {
            let cell = cellBytes(from: base + Int(split.cells.start[c]), to: base + Int(split.cells.end[c]),
                                 escaped: split.escapedCells.contains(c))
            let text: String
            do {
                text = try cell.withUnsafeBufferPointer { (b) throws(CellError) -> String in try CellDecoder.text(b) }
            } catch {
                throw InputFileError(path: path, line: headerLine, column: c + 1, message: "the header " + error.message)
            }
            header.append(text.trimmingSpaces)
        }
        if header.count == 1, header[0].contains(";") || header[0].contains("\t") || header[0].contains("，") {
            let delimiter = header[0].contains(";") ? "semicolons" : header[0].contains("\t") ? "tabs" : "full-width commas (，)"
            throw InputFileError(path: path, line: headerLine, message: "the header is one column with \(delimiter) in it; FinRec reads comma-separated files: save as CSV with commas")
        }
        binding = try HeaderBinding(header: header, schema: schema, path: path, line: headerLine,
                                    detectDuplicateIds: options.detectDuplicateIds)
        counts.absentFields = binding.absentFields
        counts.unknownColumns = binding.extraNames
        plan = ChunkDecoder(schema: schema, plans: binding.plans, decoders: decoders, header: header, extraNames: binding.extraNames,
                            headerColumn: binding.headerColumn)
    }

    // MARK: Records

    /// The next chunk of at most `options.chunkRows` valid rows, or nil at the end of the file.
    ///
    /// Works in two passes, like a vectorised reader: the records of the chunk are first split
    /// into cells (offsets into the read buffer), then each column is decoded in one tight loop.
    /// Problems are collected per row, leftmost column first; the first bad row in file order is
    /// the one `.fail` reports.
    package func nextChunk() throws(InputFileError) -> RecordChunk? {
        guard let scanned = try scanChunk() else { return nil }
        return try finalize(decoder.decode(scanned))
    }

    /// Pass 1 of ``nextChunk()``: the next chunk's records split into cells, with their bytes,
    /// or nil at the end of the file. Call in file order; decode the result on any thread with
    /// ``decoder`` and hand it to ``finalize(_:)`` in file order.
    package func scanChunk() throws(InputFileError) -> ScannedChunk? {
        let columns = header.count
        chunkBase = position
        defer { chunkBase = nil }
        var split = SplitRecords(columns: columns, capacity: min(options.chunkRows, 32_768) * max(columns, 1))
        try fill(&split, rows: options.chunkRows)
        let rows = split.lines.count
        if rows == 0 { return nil }
        lastChunkBytes = position - chunkBase!
        // Quoted cells with doubled quotes are decoded from unescaped copies.
        var unescaped: [Int: [UInt8]] = [:]
        let base = chunkBase!
        for cell in split.escapedCells {
            unescaped[cell] = cellBytes(from: base + Int(split.cells.start[cell]), to: base + Int(split.cells.end[cell]), escaped: true)
        }
        // The chunk takes its bytes: the whole buffer when the bytes after the chunk are fewer
        // than its own (they are copied to a new buffer instead), else a copy of its part.
        let bytes: [UInt8], origin: Int
        if buffer.count - position < position - base {
            bytes = buffer
            origin = base
            buffer = Array(buffer[position...])
            position = 0
        } else {
            bytes = Array(buffer[base..<position])
            origin = 0
        }
        return ScannedChunk(bytes: bytes, origin: origin, columns: columns, cells: split.cells, unescaped: unescaped,
                            lines: split.lines, recordRanges: split.recordRanges, problems: split.problems)
    }

    /// Passes 3 and 4, in file order: duplicate ids, then each bad row stops the read (`.fail`) or
    /// goes to the rejects file (`.skip`); the good rows are kept.
    package func finalize(_ decoded: DecodedChunk) throws(InputFileError) -> RecordChunk {
        var chunk = decoded.chunk, problems = decoded.problems
        let scanned = decoded.scanned, rows = scanned.lines.count, lines = scanned.lines
        if let idIndex = binding.idIndex {
            var seenIds = self.seenIds
            self.seenIds = IdSet()
            chunk.withTexts(field: idIndex, upTo: rows) { ids in
                seenIds.insertAll(count: rows, id: { r in problems[r] == nil ? ids[r] : nil }) { r in
                    problems[r] = RowProblem(column: binding.headerColumn[schema.fields[idIndex].name], field: schema.fields[idIndex].name,
                                             message: "the id \(ids[r]!) appears on an earlier line too; each enterprise must appear once")
                }
            }
            self.seenIds = seenIds
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
            var (start, end) = (scanned.origin + Int(scanned.recordRanges[r].0), scanned.origin + Int(scanned.recordRanges[r].1))
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
    package var decoder: ChunkDecoder { plan! }
    private var plan: ChunkDecoder?

    struct RowProblem: Sendable {
        /// 0-based column of the file, nil for the whole row.
        let column: Int?
        let field: String?
        let message: String
    }

    /// Reads every remaining row into one list of chunks.
    package func readAll() throws(InputFileError) -> [RecordChunk] {
        var chunks: [RecordChunk] = []
        while let chunk = try nextChunk() {
            if chunk.rowCount > 0 { chunks.append(chunk) }
        }
        return chunks
    }

    /// Writes the rejects file (with `.skip`) and returns the report. Call once, after the last chunk.
    package func finish() throws(InputFileError) -> ReadReport {
        if let rejects {
            do { try rejects.writer.commit() } catch {
                throw InputFileError(path: error.path, message: "cannot write the rejects file: \(error.reason)")
            }
        }
        rejects = nil
        return report
    }

    /// The bytes of a cell at `buffer[start..<end]`; when `escaped`, with each doubled quote made single.
    private func cellBytes(from start: Int, to end: Int, escaped: Bool) -> [UInt8] {
        guard escaped else { return Array(buffer[start..<end]) }
        var bytes: [UInt8] = []
        var i = start
        while i < end {
            bytes.append(buffer[i])
            i += buffer[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return bytes
    }

    /// Records split into cells: offsets relative to the chunk's first byte.
    private struct SplitRecords {
        /// Fields per record; nil accepts any number (the header).
        let columns: Int?
        var cells: CellOffsets
        var escapedCells: [Int] = []
        var lines: [Int] = []
        var recordRanges: [(Int32, Int32)] = []
        var problems: [RowProblem?] = []

        init(columns: Int?, capacity: Int) {
            self.columns = columns
            cells = CellOffsets(capacity: capacity)
        }
    }

    /// Splits up to `rows` records into `split`, reading more of the file as needed; stops early
    /// at the end of the file or when the chunk reaches ``maximumChunkBytes``.
    private func fill(_ split: inout SplitRecords, rows: Int) throws(InputFileError) {
        while split.lines.count < rows {
            switch try splitRecords(into: &split, rows: rows) {
            case .done:
                return
            case .needMore:
                if eof { return }
                if buffer.count - position > options.maximumRecordBytes {
                    throw InputFileError(path: path, line: line,
                                         message: "a record is longer than \(options.maximumRecordBytes) bytes; FinRec refuses it (an unbalanced quote can cause this)")
                }
                try refill()
            }
        }
    }

    private enum SplitResult { case done, needMore }

    /// Bytes that end an unquoted field or need a look: comma, quote, line feed, carriage return, NUL.
    private static let special: [Bool] = (0..<256).map { [0x2C, 0x22, 0x0A, 0x0D, 0x00].contains($0) }

    /// The eight bytes at `raw + i` as a little-endian word (first byte lowest).
    @inline(__always)
    private static func word(_ raw: UnsafeRawPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    /// Moves `i` eight bytes at a time while `marks` finds nothing in them, then onto the first
    /// marked byte (by its bit: no branch per byte) and returns true; false when fewer than eight
    /// bytes are left before `count` (the caller finishes byte by byte).
    @inline(__always)
    private static func skipWords(_ raw: UnsafeRawPointer, _ i: inout Int, _ count: Int, _ marks: (UInt64) -> UInt64) -> Bool {
        while i &+ 8 <= count {
            let m = marks(word(raw, i))
            if m != 0 {
                i += m.trailingZeroBitCount >> 3
                return true
            }
            i += 8
        }
        return false
    }

    /// High bit set in each byte of `w` that is zero, and possibly in bytes above the lowest such
    /// byte (a borrow); the lowest set bit is always exact, which is all the scans use.
    @inline(__always)
    private static func zeroBytes(_ w: UInt64) -> UInt64 {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
    }

    /// Marks the bytes of `w` that end an unquoted field or need a look: comma, quote, line
    /// feed, carriage return, NUL (exact up to the first one).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        zeroBytes(w ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(w ^ 0x2222_2222_2222_2222) | zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
            | zeroBytes(w ^ 0x0D0D_0D0D_0D0D_0D0D) | zeroBytes(w)
    }

    /// Marks the bytes of `w` that a quoted field's scan stops at: quote, line feed, NUL.
    @inline(__always)
    static func quotedStops(_ w: UInt64) -> UInt64 {
        zeroBytes(w ^ 0x2222_2222_2222_2222) | zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A) | zeroBytes(w)
    }

    /// High bit set in each byte of `v` that is zero (lanes are independent: exact).
    @inline(__always)
    private static func zeroLanes(_ v: SIMD16<UInt8>) -> SIMD16<UInt8> { (v &- 1) & ~v }

    /// One bit per lane of `marks` (the lane's high bit), first lane lowest.
    @inline(__always)
    private static func laneBits(_ marks: SIMD16<UInt8>) -> UInt64 {
        let words = unsafeBitCast(marks &>> 7, to: SIMD2<UInt64>.self)
        // Each word's eight 0/1 bytes gathered into its top byte by one multiplication.
        return ((words[0] &* 0x0102_0408_1020_4080) >> 56) | (((words[1] &* 0x0102_0408_1020_4080) >> 56) << 8)
    }

    /// The 64-byte block of the buffer at `start` as two bit sets, first byte lowest: the bytes
    /// that end a plain field (comma, line feed) and those the fast path leaves to the
    /// byte-by-byte splitter (quote, carriage return, NUL).
    private struct BlockMarks {
        var start = -1
        var ends: UInt64 = 0
        var others: UInt64 = 0

        init() {}

        /// Sixteen bytes per step in SIMD lanes (SSE2 on x86-64, NEON on ARM).
        @inline(__always)
        init(_ b: UnsafePointer<UInt8>, _ start: Int) {
            self.start = start
            let raw = UnsafeRawPointer(b + start)
            for q in 0..<4 {
                let v = raw.loadUnaligned(fromByteOffset: 16 * q, as: SIMD16<UInt8>.self)
                let e = zeroLanes(v ^ SIMD16(repeating: 0x2C)) | zeroLanes(v ^ SIMD16(repeating: 0x0A))
                let o = zeroLanes(v ^ SIMD16(repeating: 0x22)) | zeroLanes(v ^ SIMD16(repeating: 0x0D)) | zeroLanes(v)
                ends |= laneBits(e) &<< UInt64(16 * q)
                others |= laneBits(o) &<< UInt64(16 * q)
            }
        }
    }

    /// Splits one record of plain fields that ends in a line feed (or CR LF), from `start`, with
    /// the blocks' bit sets: one bit scan per field. Writes up to `room` cells to `starts` and
    /// `ends` (offsets from `base`) and returns where the next record starts and the number of
    /// fields; nil when the record has a quote, NUL, lone carriage return, a field longer than
    /// ``maximumFieldBytes`` or more than `room` fields, or runs into the buffer's last partial
    /// block: the byte-by-byte splitter takes it then, from its start.
    @inline(__always)
    private static func plainRecord(_ b: UnsafePointer<UInt8>, count: Int, from start: Int, base: Int,
                                     starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>, room: Int,
                                     marks: inout BlockMarks) -> (next: Int, fields: Int)? {
        var fieldStart = start, at = start, fields = 0
        while true {
            let blockStart = at & ~63
            if blockStart != marks.start {
                if blockStart &+ 64 > count { return nil }
                marks = BlockMarks(b, blockStart)
            }
            let shift = UInt64(truncatingIfNeeded: at &- blockStart)
            let found = marks.ends &>> shift, others = marks.others &>> shift
            if found == 0 {
                if others != 0 { return nil }
                at = blockStart &+ 64
                continue
            }
            let offset = found.trailingZeroBitCount
            let end = at &+ offset
            var fieldEnd = end
            if others != 0, others.trailingZeroBitCount < offset {
                // Only a carriage return right before the line feed, and nothing else before it.
                let rest = others & (others &- 1)
                guard others.trailingZeroBitCount == offset &- 1, b[end] == 0x0A, b[end &- 1] == 0x0D,
                      rest == 0 || rest.trailingZeroBitCount > offset else { return nil }
                fieldEnd = end &- 1
            }
            if fieldEnd &- fieldStart > maximumFieldBytes || fields == room { return nil }
            starts[fields] = Int32(truncatingIfNeeded: fieldStart &- base)
            ends[fields] = Int32(truncatingIfNeeded: fieldEnd &- base)
            fields &+= 1
            if b[end] == 0x0A { return (end &+ 1, fields) }
            fieldStart = end &+ 1
            at = fieldStart
        }
    }

    /// One pass over the bytes read so far: splits whole records from `position` on into
    /// `split` (cells in place, row-major; a record with the wrong number of fields gets empty
    /// cells and its problem). Stops before a record that runs past the buffer (`.needMore`),
    /// after `rows` records or at the chunk's size limit (`.done`).
    private func splitRecords(into split: inout SplitRecords, rows: Int) throws(InputFileError) -> SplitResult {
        let base = chunkBase!, eof = self.eof, path = self.path, columns = split.columns, cells = split.cells
        var line = self.line, i = position, done = split.lines.count
        // The cell storage as plain locals (a class's stored properties are re-read, and their
        // access checked, on every use); refreshed when it grows.
        var starts = cells.start, ends = cells.end, room = cells.capacity, used = cells.count
        defer { cells.count = used }
        @inline(__always) func store(_ k: Int, _ s: Int32, _ e: Int32) {
            if k >= room {
                cells.reserve(k + 1)
                (starts, ends, room) = (cells.start, cells.end, cells.capacity)
            }
            starts[k] = s
            ends[k] = e
        }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var marks = BlockMarks()
        defer {
            position = i
            self.line = line
        }
        return try buffer.withUnsafeBufferPointer { (b) throws(InputFileError) -> SplitResult in
            let count = b.count
            guard let raw = UnsafeRawPointer(b.baseAddress) else { return eof ? .done : .needMore }
            return try Self.special.withUnsafeBufferPointer { (special) throws(InputFileError) -> SplitResult in
                while done < rows {
                    // Blank lines between records are skipped.
                    while i < count, b[i] == lf || b[i] == cr {
                        if b[i] == lf { line += 1 }
                        i += 1
                    }
                    if i >= count { return eof ? .done : .needMore }
                    if i - base > Self.maximumChunkBytes { return .done }
                    let recordStart = i, rowBase = used
                    var fields = 0, newlines = 0
                    var complete = false
                    // Fast path: a record of plain fields (no quote, NUL or lone carriage return)
                    // ending in a line break. Anything else, and a record running into the last
                    // partial block, is left to the byte-by-byte splitter below, from its start.
                    if let (next, split) = Self.plainRecord(b.baseAddress!, count: count, from: i, base: base,
                                                            starts: starts + rowBase, ends: ends + rowBase, room: room - rowBase, marks: &marks) {
                        fields = split
                        i = next
                        newlines = 1
                        complete = true
                    }
                    record: while !complete {
                        let fieldStart: Int, fieldEnd: Int
                        if i < count, b[i] == quote {
                            var j = i + 1
                            var doubled = false
                            while true {
                                if !Self.skipWords(raw, &j, count, Self.quotedStops) {
                                    while j < count, b[j] != quote, b[j] != lf, b[j] != 0 { j += 1 }
                                }
                                guard j < count else {
                                    if eof {
                                        throw InputFileError(path: path, line: line, column: fields + 1,
                                                             message: "a quoted field is never closed; the file ends inside it (an unbalanced quote?)")
                                    }
                                    break record
                                }
                                let c = b[j]
                                if c == lf { newlines += 1; j += 1; continue }
                                if c == 0 { throw Self.nulByte(path: path, line: line + newlines) }
                                // A quote: doubled inside the field, or the closing one.
                                if j + 1 < count, b[j + 1] == quote { doubled = true; j += 2; continue }
                                if j + 1 >= count, !eof { break record }
                                break
                            }
                            fieldStart = i + 1
                            fieldEnd = j
                            i = j + 1
                            if i < count, b[i] != comma, b[i] != lf, b[i] != cr {
                                throw InputFileError(path: path, line: line + newlines, column: fields + 1,
                                                     message: "text after the closing quote of a quoted field; quote the whole field and double the inner quotes (\"\")")
                            }
                            if doubled { split.escapedCells.append(rowBase + fields) }
                        } else {
                            fieldStart = i
                            if !Self.skipWords(raw, &i, count, Self.specialBytes) {
                                while i < count, !special[Int(b[i])] { i += 1 }
                            }
                            if i < count, b[i] == quote {
                                throw InputFileError(path: path, line: line + newlines, column: fields + 1,
                                                     message: "a quote inside an unquoted field; quote the whole field and double the inner quotes (\"\")")
                            }
                            if i < count, b[i] == 0 { throw Self.nulByte(path: path, line: line + newlines) }
                            if i >= count, !eof { break record }
                            fieldEnd = i
                        }
                        if fieldEnd - fieldStart > Self.maximumFieldBytes {
                            throw InputFileError(path: path, line: line + newlines, column: fields + 1,
                                                 message: "a field is longer than \(Self.maximumFieldBytes) bytes; FinRec refuses it")
                        }
                        store(rowBase + fields, Int32(fieldStart - base), Int32(fieldEnd - base))
                        fields += 1
                        // After the field: a comma continues the record, a line break or the end ends it.
                        if i >= count { complete = true; break }
                        if b[i] == comma { i += 1; continue }
                        if b[i] == cr {
                            if i + 1 >= count, !eof { break record }
                            i += (i + 1 < count && b[i + 1] == lf) ? 2 : 1
                        } else {
                            i += 1
                        }
                        newlines += 1
                        complete = true
                        break
                    }
                    guard complete else {
                        // The record runs past the bytes read: take it again after a refill.
                        i = recordStart
                        while let last = split.escapedCells.last, last >= rowBase { split.escapedCells.removeLast() }
                        used = rowBase
                        return .needMore
                    }
                    split.lines.append(line)
                    split.recordRanges.append((Int32(recordStart - base), Int32(i - base)))
                    line += newlines
                    if let columns, fields != columns {
                        while let last = split.escapedCells.last, last >= rowBase { split.escapedCells.removeLast() }
                        for c in 0..<columns { store(rowBase + c, 0, 0) }
                        split.problems.append(RowProblem(column: nil, field: nil,
                                                         message: "the row has \(fields) fields but the header has \(columns); check for a missing or extra comma, or an unquoted comma inside a value"))
                    } else {
                        split.problems.append(nil)
                    }
                    used = rowBase + (columns ?? fields)
                    done += 1
                }
                return .done
            }
        }
    }

    private static func nulByte(path: String, line: Int) -> InputFileError {
        InputFileError(path: path, line: line,
                       message: "the file holds a NUL byte: it is binary or UTF-16, not a UTF-8 CSV file")
    }
}

/// Growable storage of a chunk's cell boundaries (offsets into its bytes), row-major. Written
/// by the splitting thread only, then read-only, so it can be handed to the decoding threads.
final class CellOffsets: @unchecked Sendable {
    private(set) var start: UnsafeMutablePointer<Int32>
    private(set) var end: UnsafeMutablePointer<Int32>
    private(set) var capacity: Int
    /// Cells in use.
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
        end = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
        end.deallocate()
    }

    /// Makes room for `needed` cells (at least doubling), keeping those set.
    func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
        for keep in [true, false] {
            let old = keep ? start : end
            let new = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
            new.update(from: old, count: capacity)
            old.deallocate()
            if keep { start = new } else { end = new }
        }
        capacity = newCapacity
    }
}
