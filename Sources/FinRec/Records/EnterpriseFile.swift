/// Opens an enterprise file by its extension: `.json` and `.jsonl` through ``JSONRecordReader``,
/// anything else as CSV through ``CSVRecordReader``, and hands out chunks either way.
public final class EnterpriseFileReader {
    public let path: String
    private var csv: CSVRecordReader?
    private var json: (RecordChunk, ReadReport)?
    private var jsonDelivered = false

    public init(path: String, schema: RecordSchema = EnterpriseSchema.schema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) {
        self.path = path
        let lower = path.lowercased()
        if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            json = try JSONRecordReader.read(path: path, schema: schema, options: options)
        } else {
            csv = try CSVRecordReader(path: path, schema: schema, options: options)
        }
    }

    /// The next chunk, or nil when the file is done.
    public func nextChunk() throws(InputFileError) -> RecordChunk? {
        if let csv { return try csv.nextChunk() }
        if jsonDelivered { return nil }
        jsonDelivered = true
        return json?.0
    }

    /// Writes the rejects file (if any) and returns what was read.
    public func finish() throws(InputFileError) -> ReadReport {
        if let csv { return try csv.finish() }
        return json?.1 ?? ReadReport()
    }
}
