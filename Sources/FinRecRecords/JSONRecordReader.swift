import FinRecBase
import FoundationEssentials

/// Reads enterprise records from JSON: one object, an array of objects, or JSON Lines (one
/// object per line). Keys are matched like CSV headers (English, Chinese, aliases); values are
/// validated by the same ``CellDecoder``s, so "12%" or "是" mean what they mean in a CSV cell.
///
/// Errors name the file and the record: its line for JSON Lines and single objects, its
/// position ("record 3") in an array. The whole file is read at once; for pools larger than
/// ``maximumBytes`` use CSV, which streams.
package enum JSONRecordReader {
    /// The largest JSON file accepted (256 MiB).
    package static let maximumBytes = 256 << 20

    package static func read(path: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) -> (RecordChunk, ReadReport) {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch {
            throw InputFileError(path: path, message: "cannot read the file (\(error.reason)); check the path")
        }
        return try parse(bytes, path: path, schema: schema, options: options)
    }

    /// Content that is not UTF-8 is read as GB18030 or UTF-16 (see ``TextEncoding``).
    package static func parse(_ raw: [UInt8], path: String, schema: RecordSchema, options: ReaderOptions = ReaderOptions()) throws(InputFileError) -> (RecordChunk, ReadReport) {
        guard raw.count <= maximumBytes else {
            throw InputFileError(path: path, message: "the JSON file is larger than \(maximumBytes >> 20) MiB; give large pools as CSV, which FinRec streams")
        }
        let (bytes, encoding) = TextEncoding.decodeWhole(raw)
        if encoding != .utf8 { options.onEncoding?(path, encoding) }
        // (record, line or nil, position in array or nil)
        var records: [(JSONValue, line: Int?, index: Int?)] = []
        do {
            let document = try JSONValue.parse(bytes)
            switch document {
            case .array(let items): records = items.enumerated().map { ($1, nil, $0 + 1) }
            case .object: records = [(document, firstLine(bytes), nil)]
            default:
                throw InputFileError(path: path, message: "expected an applicant object, an array of them, or JSON Lines; found \(document.typeName)")
            }
        } catch let error as JSONSyntaxError {
            // Not one document: try JSON Lines, one object per non-blank line.
            guard error.message.hasPrefix("unexpected content after") else {
                throw InputFileError(path: path, line: error.line, column: error.column, message: error.message)
            }
            var lineNumber = 0
            for lineBytes in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                if lineBytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    records.append((try JSONValue.parse(lineBytes), lineNumber, nil))
                } catch let lineError as JSONSyntaxError {
                    throw InputFileError(path: path, line: lineNumber, column: lineError.column,
                                         message: lineError.message + " (reading the file as JSON Lines: one object per line)")
                } catch {
                    throw InputFileError(path: path, line: lineNumber, message: "\(error)")
                }
            }
        } catch let error as InputFileError {
            throw error
        } catch {
            throw InputFileError(path: path, message: "\(error)")
        }
        let decoders = schema.decoders
        var extraNames: [String] = []
        for (record, _, _) in records {
            guard case .object(let o) = record else { continue }
            for key in o.keys where schema.fieldIndex(forHeader: key) == nil && !extraNames.contains(key) { extraNames.append(key) }
        }
        var chunk = RecordChunk(schema: schema, extraNames: extraNames, capacity: records.count)
        var report = ReadReport()
        report.unknownColumns = extraNames
        report.bytesRead = raw.count
        report.encoding = encoding
        let rejects: RejectsWriter?
        if case .skip(let rejectsPath) = options.policy {
            do { rejects = try RejectsWriter(path: rejectsPath) } catch {
                throw InputFileError(path: rejectsPath, message: "cannot write the rejects file: \(error.reason)")
            }
            report.rejectsPath = rejectsPath
        } else {
            rejects = nil
        }
        var seen = IdSet()
        for (position, (record, line, index)) in records.enumerated() {
            func problem(_ field: String?, _ message: String) throws(InputFileError) {
                let place = index.map { "record \($0): " } ?? ""
                guard let rejects else {
                    throw InputFileError(path: path, line: line, field: field, message: place + message)
                }
                report.rowsRejected += 1
                do {
                    try rejects.add(line: line ?? index ?? position + 1, column: nil, field: field, reason: place + message,
                                    record: record.compactText)
                } catch {
                    throw InputFileError(path: error.path, message: "cannot write the rejects file: \(error.reason)")
                }
            }
            guard case .object(let object) = record else {
                try problem(nil, "expected an object with the enterprise's fields, found \(record.typeName)")
                continue
            }
            chunk.beginRow(line: line ?? index ?? position + 1)
            var failed = false
            var fieldSeen: [Int: String] = [:]
            for (key, value) in object.members {
                if let i = schema.fieldIndex(forHeader: key) {
                    if let other = fieldSeen[i] {
                        try problem(schema.fields[i].name, "the keys \"\(other)\" and \"\(key)\" both name \(schema.fields[i].displayName); keep one")
                        failed = true
                        break
                    }
                    fieldSeen[i] = key
                    do {
                        chunk.set(field: i, try decoders[i].decode(json: value))
                    } catch {
                        try problem(schema.fields[i].name, error.message)
                        failed = true
                        break
                    }
                } else if let j = extraNames.firstIndex(of: key) {
                    switch value {
                    case .null: break
                    case .string(let s): chunk.set(extra: j, s)
                    case .number(let x): chunk.set(extra: j, x.description)
                    case .bool(let b): chunk.set(extra: j, b ? "1" : "0")
                    default: chunk.set(extra: j, value.compactText)
                    }
                }
            }
            if failed { continue }
            if let issue = chunk.pendingProblem() {
                try problem(issue.field, issue.message)
                continue
            }
            if options.detectDuplicateIds, let idField = schema.idField, let idIndex = schema.index(of: idField),
               case .text(let id) = chunk.pending(idIndex), !seen.insert(id) {
                try problem(idField, "the id \(id) appears in an earlier record too; each enterprise must appear once")
                continue
            }
            chunk.commitRow()
        }
        report.rowsAccepted = chunk.rowCount
        if let rejects {
            do { try rejects.writer.commit() } catch {
                throw InputFileError(path: error.path, message: "cannot write the rejects file: \(error.reason)")
            }
        }
        return (chunk, report)
    }

    static func firstLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        for b in bytes {
            if b == 0x0A { line += 1 } else if b != 0x20 && b != 0x09 && b != 0x0D && b != 0xEF && b != 0xBB && b != 0xBF { break }
        }
        return line
    }
}

extension JSONValue {
    /// The value as one line of JSON text.
    var compactText: String {
        prettyPrinted().split(separator: "\n").map { $0.drop { $0 == " " } }.joined(separator: " ")
    }
}
