import FinRec
import Foundation

/// The page's form bodies: URL-encoded fields and multipart uploads, parsed strictly.
enum FormData {
    struct Part {
        let name: String
        let filename: String?
        let body: [UInt8]
    }

    /// `a=1&b=%E6%B5%8E` → fields. A name given twice is refused.
    static func urlencoded(_ body: [UInt8]) throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&")) where !pair.isEmpty {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
                let text = String(decoding: bytes.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                guard let decoded = text.removingPercentEncoding else { throw ServiceError(.badRequest, "the form holds a malformed %-escape in \(text.prefix(40))") }
                return decoded
            }
            let name = try decode(parts[0]), value = parts.count > 1 ? try decode(parts[1]) : ""
            guard fields[name] == nil else { throw ServiceError(.badRequest, "the form gives \(name) twice") }
            fields[name] = value
        }
        return fields
    }

    /// RFC 7578 multipart/form-data: the parts between the boundary lines, with each part's
    /// name and file name from its Content-Disposition.
    static func multipart(_ body: [UInt8], contentType: String) throws -> [Part] {
        guard let boundaryParameter = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") }) else {
            throw ServiceError(.badRequest, "multipart/form-data without a boundary parameter")
        }
        var boundary = String(boundaryParameter.dropFirst("boundary=".count))
        if boundary.hasPrefix("\""), boundary.hasSuffix("\""), boundary.count >= 2 { boundary = String(boundary.dropFirst().dropLast()) }
        guard (1...70).contains(boundary.utf8.count) else { throw ServiceError(.badRequest, "the multipart boundary must have 1 to 70 characters") }
        let delimiter = Array(("--" + boundary).utf8)
        var positions: [Int] = []
        var i = 0
        while let found = ByteSearch.find(delimiter, in: body, from: i) {
            positions.append(found)
            i = found + delimiter.count
        }
        guard positions.count >= 2 else { throw ServiceError(.badRequest, "the multipart body has no complete part; send it as a browser form does") }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var p = start + delimiter.count
            guard p + 2 <= body.count, body[p] == 0x0D, body[p + 1] == 0x0A else { continue }
            p += 2
            guard let headerEnd = ByteSearch.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: p), headerEnd < end else {
                throw ServiceError(.badRequest, "a multipart part has no blank line after its headers")
            }
            let headers = String(decoding: body[p..<headerEnd], as: UTF8.self)
            var contentEnd = end
            if contentEnd >= 2, body[contentEnd - 2] == 0x0D, body[contentEnd - 1] == 0x0A { contentEnd -= 2 }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }) else {
                throw ServiceError(.badRequest, "a multipart part has no Content-Disposition")
            }
            let parameters = parameters(String(disposition))
            guard let name = parameters["name"] else { throw ServiceError(.badRequest, "a multipart part has no name") }
            parts.append(Part(name: name, filename: parameters["filename"], body: Array(body[(headerEnd + 4)..<max(headerEnd + 4, contentEnd)])))
        }
        return parts
    }

    static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = value
        }
        return result
    }

    /// The form's fields as a two-line CSV (header, values) of the schema fields filled in: the
    /// same cell rules as a file; empty fields are left out, so they read as missing.
    static func applicantCSV(_ fields: [String: String]) -> [UInt8] {
        let filled = EnterpriseSchema.schema.fields.compactMap { f -> (String, String)? in
            guard let v = fields[f.name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return (f.name, v)
        }
        return Array((filled.map { CSVField.escape($0.0) }.joined(separator: ",") + "\n"
            + filled.map { CSVField.escape($0.1) }.joined(separator: ",") + "\n").utf8)
    }

    /// A file name as messages show it: its last component, printable characters only.
    static func displayName(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        return String(last.filter { !$0.isNewline && $0 != "\u{0}" }.prefix(100))
    }
}

/// An uploaded applicant file as bytes the enterprise reader takes: CSV and JSON as they are,
/// Excel workbooks converted to CSV (first sheet). Nothing touches the file system.
enum Uploads {
    static func applicants(_ bytes: [UInt8], filename: String, displayName: String) throws -> [UInt8] {
        let lower = filename.lowercased()
        if lower.hasSuffix(".xlsx") || bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let schema = EnterpriseSchema.schema
            return try XLSXReader.csv(bytes, name: displayName) { header in
                schema.fieldIndex(forHeader: header).map { schema.fields[$0].kind == .date } ?? false
            }
        }
        if lower.hasSuffix(".xls") {
            throw ServiceError(.unsupportedMediaType, "\(displayName) is an old Excel .xls file; save it as .xlsx (Excel workbook) or CSV and upload again")
        }
        return bytes
    }
}
