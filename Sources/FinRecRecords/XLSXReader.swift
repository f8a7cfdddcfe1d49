import FinRecBase
import CXLSXWriter
import FoundationEssentials

/// Reads the first worksheet of an Excel workbook (.xlsx) as CSV text, so an uploaded workbook
/// goes through the same reader, checks and messages as a CSV file: the sheet's row N is the
/// CSV's line N. Text cells stay text, numbers are copied as the file stores them (Excel keeps
/// 15 to 17 significant digits; libxlsxwriter 16), booleans as 1/0, and numbers in a date column (`isDateColumn` of its header) as
/// YYYY-MM-DD. Formulas are read by their cached value; an error value (#DIV/0!, …) is refused.
package enum XLSXReader {
    /// The largest part inflated (a sheet of 64 MiB of XML is some 500,000 rows).
    static let maximumPartBytes = 64 << 20

    package static func csv(_ bytes: [UInt8], name: String, isDateColumn: (String) -> Bool) throws(InputFileError) -> [UInt8] {
        func fail(_ message: String, line: Int? = nil, column: Int? = nil) -> InputFileError {
            InputFileError(path: name, line: line, column: column, message: message)
        }
        let zip: ZipArchive
        do { zip = try ZipArchive(bytes) } catch { throw fail("is not an Excel .xlsx workbook (\(error.reason)); save it as .xlsx, or upload CSV") }
        func part(_ path: String) throws(InputFileError) -> [UInt8]? {
            do { return try zip.file(path, limit: maximumPartBytes) } catch { throw fail("\(path): \(error.reason)") }
        }
        guard let workbook = try part("xl/workbook.xml"), let relations = try part("xl/_rels/workbook.xml.rels") else {
            throw fail("has no workbook part (xl/workbook.xml); save it from Excel or WPS as .xlsx")
        }
        // The first sheet in the workbook's order, through its relationship id.
        guard let sheet = XMLScan.elements("sheet", in: workbook).first, let relation = sheet["r:id"] ?? sheet["id"],
              let target = XMLScan.elements("Relationship", in: relations).first(where: { $0["Id"] == relation })?["Target"] else {
            throw fail("lists no worksheet")
        }
        let sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard let sheetXML = try part(sheetPath) else { throw fail("the worksheet \(sheetPath) is missing from the workbook") }
        let shared = try part("xl/sharedStrings.xml").map { XMLScan.sharedStrings($0) } ?? []

        var rows: [Int: [Int: String]] = [:]
        var lastRow = 0
        for cell in XMLScan.cells(sheetXML) {
            guard let (row, column) = XMLScan.reference(cell.reference) else {
                throw fail("cell reference \(cell.reference) is not of the form B7")
            }
            let value: String
            switch cell.type {
            case "s":
                guard let i = Int(cell.value), shared.indices.contains(i) else { throw fail("cell \(cell.reference) names a missing shared string", line: row, column: column) }
                value = shared[i]
            case "inlineStr", "str": value = cell.value
            case "b": value = cell.value == "1" ? "1" : "0"
            case "e": throw fail("cell \(cell.reference) holds the error \(cell.value); correct it in Excel and upload again", line: row, column: column)
            default: value = cell.value
            }
            rows[row, default: [:]][column] = value
            lastRow = max(lastRow, row)
        }
        guard let header = rows[1], !header.isEmpty else { throw fail("the first sheet's first row should be the header; it is empty") }
        let width = header.keys.max()!
        let dateColumns = Set((1...width).filter { header[$0].map(isDateColumn) ?? false })
        var out = ""
        for r in 1...max(lastRow, 1) {
            let cells = rows[r] ?? [:]
            out += (1...width).map { c -> String in
                var text = cells[c] ?? ""
                if r > 1, dateColumns.contains(c), let serial = Double(text), serial == serial.rounded(), (1...2_958_465).contains(serial) {
                    // Excel's 1900 date system: serial 25569 is 1970-01-01.
                    text = CivilDate(daysSinceEpoch: Int(serial) - 25_569).iso
                }
                return CSVField.escape(text)
            }.joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }
}

/// A ZIP archive's directory and its stored or deflated members (what .xlsx uses).
struct ZipArchive {
    struct Problem: Error { let reason: String }
    struct Entry { let method: UInt16, compressedSize: Int, size: Int, localHeader: Int }
    let bytes: [UInt8]
    var entries: [String: Entry] = [:]

    init(_ bytes: [UInt8]) throws(Problem) {
        self.bytes = bytes
        // The end-of-central-directory record: within the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw Problem(reason: "too short to be a ZIP archive") }
        var end = bytes.count - 22
        let floor = max(0, bytes.count - 22 - 65_535)
        while end >= floor && !(bytes[end] == 0x50 && bytes[end + 1] == 0x4B && bytes[end + 2] == 5 && bytes[end + 3] == 6) { end -= 1 }
        guard end >= floor else { throw Problem(reason: "no ZIP directory found") }
        let count = Int(u16(end + 10)), directory = Int(u32(end + 16))
        var p = directory
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4B50 else { throw Problem(reason: "damaged ZIP directory") }
            let method = u16(p + 10), compressed = Int(u32(p + 20)), size = Int(u32(p + 24))
            let nameLength = Int(u16(p + 28)), extra = Int(u16(p + 30)), comment = Int(u16(p + 32)), local = Int(u32(p + 42))
            guard p + 46 + nameLength <= bytes.count else { throw Problem(reason: "damaged ZIP directory") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(method: method, compressedSize: compressed, size: size, localHeader: local)
            p += 46 + nameLength + extra + comment
        }
    }

    func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }

    /// A member's bytes, nil when the archive has no such member.
    func file(_ name: String, limit: Int) throws(Problem) -> [UInt8]? {
        guard let e = entries[name] else { return nil }
        guard e.size <= limit else { throw Problem(reason: "larger than \(limit >> 20) MiB unpacked") }
        let h = e.localHeader
        guard h + 30 <= bytes.count, u32(h) == 0x0403_4B50 else { throw Problem(reason: "damaged ZIP member") }
        let start = h + 30 + Int(u16(h + 26)) + Int(u16(h + 28))
        guard start + e.compressedSize <= bytes.count else { throw Problem(reason: "truncated ZIP member") }
        switch e.method {
        case 0: return Array(bytes[start..<(start + e.compressedSize)])
        case 8: return try inflate(start, e)
        default: throw Problem(reason: "compressed with method \(e.method), which Excel does not use")
        }
    }

    private func inflate(_ start: Int, _ e: Entry) throws(Problem) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(e.size, 1))
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Problem(reason: "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
                stream.avail_in = uInt(e.compressedSize)
                stream.next_out = out.baseAddress!
                stream.avail_out = uInt(e.size)
                return CXLSXWriter.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == e.size else { throw Problem(reason: "damaged compressed data") }
        return e.size == 0 ? [] : output
    }
}

/// Just enough XML for the parts of a workbook: elements' attributes, cells, shared strings.
/// Scans bytes with indices (linear in the part's size).
enum XMLScan {
    struct Cell { let reference: String, type: String, value: String }

    /// Start tags `<name …>` (name followed by a space, `/` or `>`) from `from` to `end`: the
    /// index just after the name and the index of the tag's `>`.
    static func tags(_ name: String, in bytes: [UInt8], from: Int = 0, before end: Int? = nil) -> [(attributes: Range<Int>, close: Int)] {
        let needle = Array(("<" + name).utf8)
        var found: [(Range<Int>, Int)] = []
        var i = from
        let stop = end ?? bytes.count
        while let open = ByteSearch.find(needle, in: bytes, from: i, before: stop) {
            let after = open + needle.count
            guard after < stop else { break }
            let c = bytes[after]
            guard c == 0x20 || c == 0x2F || c == 0x3E || c == 0x0A || c == 0x09 || c == 0x0D, let close = ByteSearch.find([0x3E], in: bytes, from: after, before: stop) else {
                i = after
                continue
            }
            found.append((after..<close, close))
            i = close + 1
        }
        return found
    }

    /// Each `<name …>` start tag's attributes, in document order.
    static func elements(_ name: String, in xml: [UInt8]) -> [[String: String]] {
        tags(name, in: xml).map { attributes(String(decoding: xml[$0.attributes], as: UTF8.self)) }
    }

    static func attributes(_ tag: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = tag[...]
        while let eq = rest.firstIndex(of: "=") {
            // XML's white space around the name: space, tab, carriage return, line feed.
            let key = String(rest[..<eq].split(whereSeparator: { " \t\r\n".contains($0) }).last ?? "")
            let afterEq = rest[rest.index(after: eq)...].drop { $0 == " " }
            guard let quote = afterEq.first, quote == "\"" || quote == "'" else { break }
            let body = afterEq.dropFirst()
            guard let end = body.firstIndex(of: quote) else { break }
            result[key] = unescape(String(body[..<end]))
            rest = body[body.index(after: end)...]
        }
        return result
    }

    /// Each `<c>` of a sheet: its reference, type and value (`<v>`, or the text of `<is>`).
    static func cells(_ xml: [UInt8]) -> [Cell] {
        var cells: [Cell] = []
        let close = Array("</c>".utf8), v = Array("<v>".utf8), vEnd = Array("</v>".utf8)
        var i = 0
        for tag in tags("c", in: xml) where tag.close >= i {
            let selfClosing = xml[tag.close - 1] == 0x2F
            let attrs = attributes(String(decoding: xml[tag.attributes.lowerBound..<(selfClosing ? tag.close - 1 : tag.close)], as: UTF8.self))
            if selfClosing { i = tag.close + 1; continue }
            guard let end = ByteSearch.find(close, in: xml, from: tag.close + 1) else { break }
            let type = attrs["t"] ?? "n"
            var value = ""
            if type == "inlineStr" {
                value = texts(xml, from: tag.close + 1, before: end).joined()
            } else if let a = ByteSearch.find(v, in: xml, from: tag.close + 1, before: end), let b = ByteSearch.find(vEnd, in: xml, from: a, before: end) {
                value = unescape(String(decoding: xml[(a + v.count)..<b], as: UTF8.self))
            }
            if !(value.isEmpty && type != "inlineStr" && type != "str") { cells.append(Cell(reference: attrs["r"] ?? "", type: type, value: value)) }
            i = end + close.count
        }
        return cells
    }

    /// The shared strings table: each `<si>`'s text runs joined (phonetic runs left out).
    static func sharedStrings(_ xml: [UInt8]) -> [String] {
        let end = Array("</si>".utf8), phonetic = Array("<rPh".utf8), phoneticEnd = Array("</rPh>".utf8)
        return tags("si", in: xml).compactMap { tag -> String? in
            guard let stop = ByteSearch.find(end, in: xml, from: tag.close + 1) else { return nil }
            var parts: [String] = []
            var i = tag.close + 1
            while i < stop {
                let p = ByteSearch.find(phonetic, in: xml, from: i, before: stop) ?? stop
                parts += texts(xml, from: i, before: p)
                guard p < stop, let q = ByteSearch.find(phoneticEnd, in: xml, from: p, before: stop) else { break }
                i = q + phoneticEnd.count
            }
            return parts.joined()
        }
    }

    /// The contents of each `<t>` or `<t …>` element between `from` and `end`.
    static func texts(_ xml: [UInt8], from: Int, before end: Int) -> [String] {
        let close = Array("</t>".utf8)
        var found: [String] = []
        var i = from
        for tag in tags("t", in: xml, from: from, before: end) where tag.close >= i {
            if xml[tag.close - 1] == 0x2F { i = tag.close + 1; continue }
            guard let stop = ByteSearch.find(close, in: xml, from: tag.close + 1, before: end) else { break }
            found.append(unescape(String(decoding: xml[(tag.close + 1)..<stop], as: UTF8.self)))
            i = stop + close.count
        }
        return found
    }

    /// "B7" → (row 7, column 2).
    static func reference(_ text: String) -> (Int, Int)? {
        var column = 0, row = 0, digits = false
        for c in text.unicodeScalars {
            if c.value >= 65 && c.value <= 90 && !digits { column = column * 26 + Int(c.value - 64) }
            else if c.value >= 48 && c.value <= 57 { row = row * 10 + Int(c.value - 48); digits = true }
            else { return nil }
            if row > 1_048_576 || column > 16_384 { return nil }
        }
        return row > 0 && column > 0 ? (row, column) : nil
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = "", rest = s[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let code = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let code, let scalar = Unicode.Scalar(code) { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
