import FinRecBase
#if canImport(Glibc)
import Glibc
#endif

/// Opens an enterprise file by its extension: `.json` and `.jsonl` through ``JSONRecordReader``,
/// anything else as CSV through ``CSVRecordReader``, and hands out chunks either way.
public final class EnterpriseFileReader {
    public let path: String
    private var csv: CSVRecordReader?
    private var json: (RecordChunk, ReadReport)?
    private var jsonDelivered = false
    /// The CSV file's column plan, fixed by its header.
    private var decoder: ChunkDecoder?

    /// The name messages give standard input.
    public static let standardInputName = "(standard input)"

    private init(name: String, csv: CSVRecordReader?, json: (RecordChunk, ReadReport)?) {
        self.path = name
        self.csv = csv
        self.json = json
        self.decoder = csv?.decoder
    }

    /// Opens `path`; `-` reads standard input, which is JSON when its first character (after a
    /// byte-order mark and spaces) is `{` or `[`, and CSV otherwise.
    /// Opens an enterprise file of the shipped schema: CSV, or JSON and JSON Lines by the name's
    /// extension; `-` reads standard input.
    public convenience init(path: String, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(path: path, schema: EnterpriseSchema.schema, options: options)
    }

    /// Opens `path` with the records of `schema`.
    package convenience init(path: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        if path == "-" {
            try self.init(bytes: try Self.readStandardInput(), name: Self.standardInputName, schema: schema, options: options)
            return
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            self.init(name: path, csv: nil, json: try JSONRecordReader.read(path: path, schema: schema, options: options))
        } else {
            self.init(name: path, csv: try CSVRecordReader(path: path, schema: schema, options: options), json: nil)
        }
    }

    /// Reads records held in memory (standard input, an upload): JSON when the first character
    /// (after a byte-order mark and spaces) is `{` or `[`, CSV otherwise. `name` is what messages
    /// call the input.
    public convenience init(bytes: [UInt8], name: String, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        try self.init(bytes: bytes, name: name, schema: EnterpriseSchema.schema, options: options)
    }

    /// Reads records of `schema` held in memory; content that is not UTF-8 is read as GB18030 or
    /// UTF-16 (see ``TextEncoding``).
    package convenience init(bytes: [UInt8], name: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        // UTF-8 and GB18030 agree on ASCII, so their first character tells JSON from CSV as it
        // stands; only UTF-16 is converted first to see it. Either reader then reads the encoding.
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        let (start, first) = Self.opening(utf16 ? TextEncoding.decodeWhole(bytes).bytes : bytes)
        if Self.opensJSON(first) {
            self.init(name: name, csv: nil, json: try JSONRecordReader.parse(utf16 ? bytes : Array(bytes[start...]), path: name, schema: schema, options: options))
        } else {
            self.init(name: name, csv: try CSVRecordReader(bytes: bytes, name: name, schema: schema, options: options), json: nil)
        }
    }

    /// Where in-memory content starts (after a UTF-8 byte-order mark) and its first byte that is
    /// not white space (nil when there is none).
    package static func opening(_ bytes: [UInt8]) -> (start: Int, first: UInt8?) {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return (start, bytes[start...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) })
    }

    /// Content that opens with `{` or `[` is read as JSON, anything else as CSV.
    package static func opensJSON(_ first: UInt8?) -> Bool { first == UInt8(ascii: "{") || first == UInt8(ascii: "[") }

    /// The next chunk, or nil when the file is done.
    package func nextChunk() throws(InputFileError) -> RecordChunk? {
        if let csv { return try csv.nextChunk() }
        if jsonDelivered { return nil }
        jsonDelivered = true
        return json?.0
    }

    /// A chunk on its way through a pipelined read: scanned (CSV), decoded, or ready (JSON).
    package enum Pending: Sendable {
        case scanned(ScannedChunk)
        case decoded(DecodedChunk)
        case ready(RecordChunk)
    }

    /// The pipelined form of ``nextChunk()``, in three steps: `nextPending()` and `finalize(_:)`
    /// in file order (one at a time), `decode(_:)` on any thread in between. The same rows, checks
    /// and errors as ``nextChunk()``.
    package func nextPending() throws(InputFileError) -> Pending? {
        if let csv { return try csv.scanChunk().map(Pending.scanned) }
        return try nextChunk().map(Pending.ready)
    }

    /// Decodes a scanned chunk; thread-safe (uses only what the header fixed).
    package func decode(_ pending: Pending) -> Pending {
        guard case .scanned(let scanned) = pending, let decoder else { return pending }
        return .decoded(decoder.decode(scanned))
    }

    /// The chunk's rows after the in-order checks (duplicate ids, rejects).
    package func finalize(_ pending: Pending) throws(InputFileError) -> RecordChunk {
        switch pending {
        case .ready(let chunk): return chunk
        case .decoded(let decoded): return try csv!.finalize(decoded)
        case .scanned(let scanned): return try csv!.finalize(csv!.decoder.decode(scanned))
        }
    }

    /// The encoding the input was read in (UTF-8 unless it was not).
    public var encoding: TextEncoding { csv?.report.encoding ?? json?.1.encoding ?? .utf8 }

    /// Bytes read so far (for progress against the file's size).
    package var bytesRead: Int { csv?.bytesRead ?? json?.1.bytesRead ?? 0 }

    /// Writes the rejects file (if any) and returns what was read.
    package func finish() throws(InputFileError) -> ReadReport {
        if let csv { return try csv.finish() }
        return json?.1 ?? ReadReport()
    }
}

extension EnterpriseFileReader {
    /// All of standard input, refusing more than ``JSONRecordReader/maximumBytes`` (pools that
    /// large are read from a file, which streams).
    static func readStandardInput() throws(InputFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { block.deallocate() }
        while true {
            let got: Int, ended: Bool
            do throws(FileReadFailure) { (got, ended) = try FileBytes.fill(0, block.baseAddress!, block.count) } catch {
                throw InputFileError(path: standardInputName, message: "cannot read standard input (\(error.reason))")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(block)[0..<got]))
            if ended { return bytes }
            guard bytes.count <= JSONRecordReader.maximumBytes else {
                throw InputFileError(path: standardInputName, message: "more than \(JSONRecordReader.maximumBytes >> 20) MiB on standard input; give a file instead, which FinRec streams")
            }
        }
    }
}
