import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CSV field quoting (RFC 4180).
package enum CSVField {
    /// Written first in a CSV for Excel (`--excel`): Excel reads a file without it in the
    /// system's legacy code page (GBK in China), garbling every Chinese character.
    package static let byteOrderMark = "\u{FEFF}"

    /// `field`, quoted when it holds a comma, quote, or line break.
    package static func escape(_ field: String) -> String {
        // Bytes, not Characters: the four are ASCII, which never occurs inside a multi-byte UTF-8
        // sequence, and scanning bytes skips grapheme breaking.
        var field = field
        guard field.withUTF8(needsQuotes) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// Whether any byte is a comma, quote or line break, eight bytes at a time.
    @inline(__always)
    static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteScan.contains(bytes, marked: { v in
            ByteScan.lanes(v, equalTo: 0x2C) | ByteScan.lanes(v, equalTo: 0x22) | ByteScan.lanes(v, equalTo: 0x0A) | ByteScan.lanes(v, equalTo: 0x0D)
        }, test: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
    }
}

/// CSV lines built in one byte buffer: each field escaped as ``CSVField/escape(_:)`` does, written
/// in place instead of as a String per field and a joined line.
package struct CSVLineWriter {
    package private(set) var bytes: [UInt8] = []
    private var fieldsInLine = 0

    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Adds `field` to the current line, quoted when it holds a comma, quote or line break.
    package mutating func field(_ field: String) {
        let start = beginField()
        var field = field
        field.withUTF8 { bytes.append(contentsOf: $0) }
        endField(from: start)
    }

    /// Adds `parts` joined by `separator` as one field, without making the joined text.
    package mutating func field(joining parts: [String], separator: String) {
        let start = beginField()
        var separator = separator, first = true
        for var part in parts {
            if !first { separator.withUTF8 { bytes.append(contentsOf: $0) } }
            first = false
            part.withUTF8 { bytes.append(contentsOf: $0) }
        }
        endField(from: start)
    }

    /// Starts a field: the comma before it; returns where its text starts.
    private mutating func beginField() -> Int {
        if fieldsInLine > 0 { bytes.append(0x2C) }
        fieldsInLine += 1
        return bytes.count
    }

    /// Quotes the field written from `start` when it holds a comma, quote or line break (rare:
    /// the text is written first, then tested, and only then copied into quotes).
    private mutating func endField(from start: Int) {
        guard bytes.withUnsafeBufferPointer({ CSVField.needsQuotes(UnsafeBufferPointer(rebasing: $0[start...])) }) else { return }
        let text = Array(bytes[start...])
        bytes.removeSubrange(start...)
        bytes.append(0x22)
        for byte in text {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// Adds `number` as Swift prints it (the shortest text that reads back the same), or an empty
    /// field for nil.
    package mutating func field(_ number: Double?) {
        field(number.map { "\($0)" } ?? "")
    }

    /// Ends the current line.
    package mutating func endLine() {
        bytes.append(0x0A)
        fieldsInLine = 0
    }

    /// The lines written, as UTF-8 bytes (for a stream: no check and copy into a `String`).
    package consuming func finish() -> [UInt8] { bytes }
}

