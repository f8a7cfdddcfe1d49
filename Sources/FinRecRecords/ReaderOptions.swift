import FinRecBase
/// What to do with a row that fails validation.
package enum ValidationPolicy: Sendable, Equatable {
    /// Stop at the first bad row with an error naming the file, line, column and the expected form.
    case fail
    /// Leave bad rows out, write each with its reason to the rejects file (CSV, atomically), go on.
    case skip(rejectsPath: String)
}

public struct ReaderOptions: Sendable {
    /// Rows per chunk: tens of thousands keep memory bounded and BLAS blocks large.
    public var chunkRows = 32_768
    package var policy = ValidationPolicy.fail
    /// Refuse (or reject) a second row with an id already seen. Costs memory per distinct id.
    public var detectDuplicateIds = true
    /// The longest record accepted, in bytes; longer ones are refused, not loaded.
    package var maximumRecordBytes = 8 << 20
    /// Told once an input turns out not to be UTF-8 and is read as GB18030 or UTF-16 (the
    /// command line prints a note; the report's ``ReadReport/encoding`` says it too).
    public var onEncoding: (@Sendable (_ input: String, _ encoding: TextEncoding) -> Void)?
    public init() {}
}

/// What a reader saw: rows accepted and rejected, columns it did not know or did not find.
public struct ReadReport: Sendable, Equatable {
    public init() {}
    public var rowsAccepted = 0
    public var rowsRejected = 0
    public var rejectsPath: String?
    /// Header columns the schema does not know; kept as text columns.
    public var unknownColumns: [String] = []
    /// Schema fields the file has no column for; they read as missing.
    public var absentFields: [String] = []
    /// The encoding the file was read in (``TextEncoding/readNote`` says so when it is not UTF-8).
    public var encoding = TextEncoding.utf8
    package var bytesRead = 0
}
