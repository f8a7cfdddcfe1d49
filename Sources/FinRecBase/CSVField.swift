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
        guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// Whether any byte is a comma, quote or line break: eight bytes at a time (a lane of `v ^ c`
    /// is zero exactly where the byte is c; the usual SWAR test sets its high bit, and can only
    /// err in a lane above a true zero, so "any" is exact).
    @inline(__always)
    static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroLane(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        var i = 0
        if let base = bytes.baseAddress {
            while i + 8 <= bytes.count {
                let v = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if zeroLane(v ^ (ones &* 0x2C)) | zeroLane(v ^ (ones &* 0x22)) | zeroLane(v ^ (ones &* 0x0A)) | zeroLane(v ^ (ones &* 0x0D)) != 0 {
                    return true
                }
                i += 8
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return true }
            i += 1
        }
        return false
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
        if fieldsInLine > 0 { bytes.append(0x2C) }
        fieldsInLine += 1
        var field = field
        field.withUTF8 { utf8 in
            guard CSVField.needsQuotes(utf8) else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(0x22)
            for byte in utf8 {
                if byte == 0x22 { bytes.append(0x22) }
                bytes.append(byte)
            }
            bytes.append(0x22)
        }
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

    /// The lines written, as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The lines written, as UTF-8 bytes (for a stream: no check and copy into a `String`).
    package consuming func finish() -> [UInt8] { bytes }
}

