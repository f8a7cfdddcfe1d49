import FinRecBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The encoding an input file was read in. FinRec reads UTF-8 (with or without a byte-order
/// mark); a file whose start is not UTF-8 is read as GB18030, the superset of GBK that Excel
/// writes on Chinese Windows; UTF-16 with a byte-order mark (Excel's "Unicode text", tab-separated)
/// is read too. Everything is turned into UTF-8 on the way in, so the readers see one encoding.
public enum TextEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "UTF-8"
    case gb18030 = "GB18030"
    case utf16LittleEndian = "UTF-16LE"
    case utf16BigEndian = "UTF-16BE"

    /// What a summary says about a file that was not UTF-8, in Chinese and English (nil for UTF-8).
    public var readNote: String? {
        switch self {
        case .utf8: return nil
        case .gb18030: return "按 GB18030 读取 (read as GB18030: the file is not UTF-8)"
        case .utf16LittleEndian, .utf16BigEndian: return "按 UTF-16 读取 (read as UTF-16, Excel's Unicode text)"
        }
    }

    /// What to tell a user whose "CSV" is an Excel workbook (old binary .xls, or .xlsx), which no
    /// text encoding would read; nil for anything else.
    package static func workbookAdvice(_ prefix: UnsafeBufferPointer<UInt8>) -> String? {
        if prefix.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return "is an old Excel .xls workbook, not CSV; open it in Excel or WPS and save it as CSV UTF-8 (or as .xlsx to upload on the page)"
        }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "is a ZIP file (an Excel .xlsx workbook?), not CSV; save it as CSV UTF-8 (the page at finrec serve reads .xlsx uploads)"
        }
        return nil
    }

    /// How many bytes of a file's start the choice looks at: a file whose first 4 MiB are UTF-8
    /// is read as UTF-8 (a later cell that is not is refused with its line and column).
    package static let sniffBytes = 1 << 22

    /// The encoding of content that starts with `prefix` (the whole content when `complete`), and
    /// the length of its byte-order mark.
    package static func sniff(_ prefix: UnsafeBufferPointer<UInt8>, complete: Bool) -> (encoding: TextEncoding, markBytes: Int) {
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if prefix.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, 2) }
        if prefix.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, 2) }
        let look = UnsafeBufferPointer(rebasing: prefix[..<min(prefix.count, sniffBytes)])
        let whole = complete && look.count == prefix.count
        let checked = whole ? look : UnsafeBufferPointer(rebasing: look[..<completeSequences(look)])
        if UTF8Validation.isValidUTF8(checked) { return (.utf8, 0) }
        // Mostly UTF-8 with a few bad cells (pasted from a GBK file) stays UTF-8, so its good
        // cells are not turned into mojibake and the bad ones are refused with their place.
        let (valid, invalid) = utf8Census(checked)
        return (valid > invalid ? .utf8 : .gb18030, 0)
    }

    /// Bytes of the UTF-8 sequences of three or four bytes in `bytes`, and bytes that start none.
    private static func utf8Census(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Int, invalid: Int) {
        var valid = 0, invalid = 0, i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            var length = 1
            for l in 2...4 where i + l <= bytes.count {
                if UTF8Validation.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[i..<(i + l)])) { length = l; break }
            }
            // Two-byte sequences are left out: GBK's Chinese characters often happen to form them
            // (a lead in C2…DF, a trail in 80…BF), while UTF-8's Chinese takes three bytes.
            if length >= 3 { valid += length } else if length == 1 { invalid += 1 }
            i += length
        }
        return (valid, invalid)
    }

    /// The length of `bytes` without a UTF-8 sequence cut off at its end.
    private static func completeSequences(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = bytes.count
        // Step back over at most three continuation bytes to the lead byte of the last sequence.
        while i > 0, bytes.count - i < 3, bytes[i - 1] & 0xC0 == 0x80 { i -= 1 }
        guard i > 0 else { return bytes.count }
        let lead = bytes[i - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - (i - 1) < length ? i - 1 : bytes.count
    }

    /// JSON read whole: as UTF-8 without a byte-order mark, and the encoding it was in. (CSV is
    /// converted by its reader as it streams, tabs included.)
    package static func decodeWhole(_ bytes: [UInt8]) -> (bytes: [UInt8], encoding: TextEncoding) {
        let (encoding, mark) = bytes.withUnsafeBufferPointer { sniff($0, complete: true) }
        if encoding == .utf8 { return (mark == 0 ? bytes : Array(bytes[mark...]), .utf8) }
        let converter = Transcoder(encoding, csv: false)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        bytes.withUnsafeBufferPointer { converter.convert(UnsafeBufferPointer(rebasing: $0[mark...]), final: true, into: &out) }
        return (out, encoding)
    }
}

/// Turns GB18030 or UTF-16 into UTF-8, a block at a time (a sequence cut by a block's end waits
/// for the next), with glibc's iconv. A byte sequence that is not valid in the source encoding
/// becomes the byte 0xFF, which is never UTF-8: the cell that holds it is then refused with its
/// line and column, as any cell that is not text. Tab-separated UTF-16 (Excel's "Unicode text")
/// is turned into CSV on the way: tabs become commas and a cell with a comma or a quote is
/// quoted, so every cell keeps its line and column.
package final class Transcoder {
    package let encoding: TextEncoding
    private let handle: iconv_t
    /// Bytes of a sequence cut by the last block's end.
    private var pending: [UInt8] = []
    /// Tab-separated text to CSV: nil until the first line tells (a tab in it and no comma).
    private var tabs: TabsToCommas?
    private var decidedSeparator: Bool
    private var firstLine: [UInt8] = []

    /// `csv`: the content is a CSV file, which may be tab-separated UTF-16.
    package init(_ encoding: TextEncoding, csv: Bool) {
        precondition(encoding != .utf8, "UTF-8 needs no transcoding")
        self.encoding = encoding
        // glibc ships GB18030, UTF-16LE and UTF-16BE converters in every installation.
        handle = iconv_open("UTF-8", encoding.rawValue)
        precondition(Int(bitPattern: handle) != -1, "iconv has no \(encoding.rawValue) converter")
        decidedSeparator = !(csv && (encoding == .utf16LittleEndian || encoding == .utf16BigEndian))
    }

    deinit { iconv_close(handle) }

    /// Appends `input` as UTF-8 to `out`; `final`: no more input follows.
    package func convert(_ input: UnsafeBufferPointer<UInt8>, final: Bool, into out: inout [UInt8]) {
        var utf8: [UInt8] = []
        let source = pending + Array(input)
        pending.removeAll(keepingCapacity: true)
        utf8.reserveCapacity(source.count * 3 / 2 + 16)
        source.withUnsafeBufferPointer { src in
            var offset = 0
            var block = [UInt8](repeating: 0, count: 1 << 16)
            while offset < src.count {
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: src.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                var inLeft = src.count - offset
                let (written, result, error) = block.withUnsafeMutableBufferPointer { b -> (Int, Int, Int32) in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self)
                    var outLeft = b.count
                    let r = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (b.count - outLeft, r, r == -1 ? errno : 0)
                }
                utf8.append(contentsOf: block[0..<written])
                offset = src.count - inLeft
                if result != -1 { break }
                switch error {
                case E2BIG:
                    continue
                case EINVAL where !final:
                    // A sequence cut by the block's end: keep it for the next block.
                    pending = Array(src[offset...])
                    offset = src.count
                default:
                    // Not a sequence of the source encoding (or cut off at the very end).
                    utf8.append(0xFF)
                    offset += encoding == .gb18030 ? 1 : 2
                    // Reset the converter's shift state after an error.
                    iconv(handle, nil, nil, nil, nil)
                }
            }
        }
        separate(utf8, final: final, into: &out)
    }

    /// Passes UTF-8 on, turning tab-separated text into CSV once the first line shows tabs.
    private func separate(_ utf8: [UInt8], final: Bool, into out: inout [UInt8]) {
        if decidedSeparator {
            if tabs == nil { out.append(contentsOf: utf8) } else { tabs!.convert(utf8, final: final, into: &out) }
            return
        }
        firstLine.append(contentsOf: utf8)
        guard let end = firstLine.firstIndex(of: 0x0A) ?? (final ? firstLine.endIndex : nil) else { return }
        decidedSeparator = true
        let header = firstLine[..<end]
        if header.contains(0x09) && !header.contains(UInt8(ascii: ",")) { tabs = TabsToCommas() }
        let held = firstLine
        firstLine = []
        separate(held, final: final, into: &out)
    }
}

/// Tab-separated text (Excel's "Unicode text": a cell with a tab, a line break or a quote is
/// quoted, quotes doubled) → CSV with the same lines and cells.
struct TabsToCommas {
    private enum State { case cellStart, quoted, quoteInQuoted, plain }
    private var state = State.cellStart
    /// The plain cell read so far (quoted when it holds a comma or a quote).
    private var cell: [UInt8] = []

    mutating func convert(_ text: [UInt8], final: Bool, into out: inout [UInt8]) {
        let tab: UInt8 = 0x09, quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        out.reserveCapacity(out.count + text.count + 64)
        for b in text {
            switch state {
            case .cellStart where b == quote:
                out.append(quote)
                state = .quoted
            case .cellStart, .plain:
                if b == tab || b == lf || b == cr {
                    flushCell(into: &out)
                    out.append(b == tab ? comma : b)
                    state = .cellStart
                } else {
                    cell.append(b)
                    state = .plain
                }
            case .quoted:
                out.append(b)
                if b == quote { state = .quoteInQuoted }
            case .quoteInQuoted:
                if b == quote {
                    out.append(quote)
                    state = .quoted
                } else {
                    // The closing quote: what follows ends the cell (anything else is left for the
                    // CSV reader to refuse, as it would in a CSV file).
                    out.append(b == tab ? comma : b)
                    state = b == tab || b == lf || b == cr ? .cellStart : .plain
                }
            }
        }
        if final { flushCell(into: &out) }
    }

    private mutating func flushCell(into out: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        if cell.contains(UInt8(ascii: ",")) || cell.contains(quote) {
            out.append(quote)
            for b in cell {
                out.append(b)
                if b == quote { out.append(quote) }
            }
            out.append(quote)
        } else {
            out.append(contentsOf: cell)
        }
        cell.removeAll(keepingCapacity: true)
    }
}
