import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to standard output and standard error.
package enum FileHandleWriter {
    package static func writeStandardError(_ text: String) {
        _ = write(text, to: 2)
    }

    /// Writes to standard output; throws when it cannot (a closed pipe, a full disk).
    package static func writeStandardOutput(_ text: String) throws(FileWriteError) {
        if let code = write(text, to: 1) { throw .errno("standard output", "write", code) }
    }

    /// Writes `bytes` to standard output; throws when it cannot (a closed pipe, a full disk).
    package static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) throws(FileWriteError) {
        if let code = writeAll(bytes, to: 1) { throw .errno("standard output", "write", code) }
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
