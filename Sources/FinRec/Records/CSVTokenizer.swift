/// Splits RFC 4180 CSV bytes into records of fields: quoted fields with doubled
/// quotes, embedded commas and newlines, LF or CRLF line ends, an optional UTF-8
/// byte-order mark. Each record carries the 1-based line it starts on.
public struct CSVTokenizer: Sendable {
    /// A CSV syntax error at a 1-based line and column (columns count fields).
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let column: Int
        public let message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
    }

    /// The longest field accepted, in bytes; longer ones are refused, not loaded.
    public static let maximumFieldBytes = 1 << 20

    private let bytes: [UInt8]
    private var index: Int
    private var line = 1

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record, or nil at the end of the input. Blank lines are skipped.
    public mutating func next() throws(SyntaxError) -> Record? {
        while index < bytes.count, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, wasQuoted = false
        func finish(_ field: [UInt8], column: Int) throws(SyntaxError) -> String {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw SyntaxError(line: startLine, column: column,
                                  message: "the field is not valid UTF-8; save the file as UTF-8 (for GBK files from Excel: iconv -f GB18030 -t UTF-8)")
            }
            return text
        }
        while index < bytes.count {
            let b = bytes[index]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        index += 2
                        continue
                    }
                    quoted = false
                    index += 1
                    continue
                }
                if b == 0x0A { line += 1 }
                field.append(b)
                index += 1
            } else {
                switch b {
                case UInt8(ascii: ","):
                    fields.append(try finish(field, column: fields.count + 1))
                    field.removeAll(keepingCapacity: true)
                    wasQuoted = false
                    index += 1
                case 0x0A, 0x0D:
                    if b == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    index += 1
                    line += 1
                    fields.append(try finish(field, column: fields.count + 1))
                    return Record(line: startLine, fields: fields)
                case UInt8(ascii: "\""):
                    guard field.isEmpty, !wasQuoted else {
                        throw SyntaxError(line: line, column: fields.count + 1,
                                          message: "a quote inside an unquoted field; quote the whole field and double the inner quotes (\"\")")
                    }
                    quoted = true
                    wasQuoted = true
                    index += 1
                default:
                    if wasQuoted {
                        throw SyntaxError(line: line, column: fields.count + 1,
                                          message: "text after the closing quote of a quoted field")
                    }
                    field.append(b)
                    index += 1
                }
            }
            if field.count > Self.maximumFieldBytes {
                throw SyntaxError(line: startLine, column: fields.count + 1,
                                  message: "a field is longer than \(Self.maximumFieldBytes) bytes (an unbalanced quote?)")
            }
        }
        if quoted {
            throw SyntaxError(line: startLine, column: fields.count + 1,
                              message: "a quoted field is never closed; the file ends inside it")
        }
        fields.append(try finish(field, column: fields.count + 1))
        return Record(line: startLine, fields: fields)
    }
}
