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
}
