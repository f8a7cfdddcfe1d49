import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logistic function, computed without overflow for any finite logit.
package enum Sigmoid {
    /// 1 / (1 + e^(−z)), in [0, 1].
    package static func probability(_ z: Double) -> Double {
        probability(z, e: exp(-abs(z)))
    }

    /// 1 / (1 + e^(−z)) from e = e^(−|z|), which the caller has already computed (e.g. for the
    /// log-loss): 1 / (1 + e) for z ≥ 0, e / (1 + e) below; neither overflows.
    @inline(__always)
    package static func probability(_ z: Double, e: Double) -> Double {
        z >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// log(1 + e) for 0 ≤ e ≤ 1 (e.g. e^(−|z|)), from `log` with Goldberg's correction
    /// log(u)·e/(u − 1), u = 1 + e rounded: within 2 ulp of `log1p` (4e-16 relative, tested)
    /// and a third faster with glibc, whose `log1p` is the slow one of the two.
    @inline(__always)
    package static func logOnePlus(small e: Double) -> Double {
        let u = 1 + e
        return u == 1 ? e : log(u) * (e / (u - 1))
    }

    /// log(1 + e^z) without overflow: max(z, 0) + log1p(e^(−|z|)).
    package static func softplus(_ z: Double) -> Double {
        max(z, 0) + log1p(exp(-abs(z)))
    }
}

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

/// Unbuffered writes to standard output and standard error.
package enum FileHandleWriter {
    package static func writeStandardError(_ text: String) {
        _ = write(text, to: 2)
    }

    /// Writes to standard output; throws when it cannot (a closed pipe, a full disk).
    package static func writeStandardOutput(_ text: String) throws(FileWriteError) {
        if let code = write(text, to: 1) { throw .errno("standard output", "write", code) }
    }

    /// Writes all of `text` to `descriptor`: nil, or the errno of the write that failed.
    private static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var text = text
        return text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
    }

    /// Writes all of `bytes` to `descriptor`, again after a signal interrupts a write: nil, or
    /// the errno of the write that failed (EIO for one that wrote nothing).
    package static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return n < 0 ? errno : EIO }
        }
        return nil
    }
}
