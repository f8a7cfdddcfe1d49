import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding a byte string in bytes (a workbook's XML, a multipart body).
package enum ByteSearch {
    /// The first index at or after `from` (and before `end`) where `needle` starts, or nil.
    package static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, before end: Int? = nil) -> Int? {
        let limit = (end ?? bytes.count) - needle.count
        guard let first = needle.first, from <= limit else { return nil }
        var i = from
        while i <= limit {
            if bytes[i] == first {
                var j = 1
                while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
