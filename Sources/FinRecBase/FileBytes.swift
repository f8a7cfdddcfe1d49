#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read: the system's words for it ("No such file or directory",
/// "Permission denied", "Is a directory", …).
package struct FileReadFailure: Error, Sendable, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}

/// Whole files read with the POSIX calls: no `Data` in between, and the system's reason when it
/// fails (the model, catalog, feature spec and JSON applicant files).
package enum FileBytes {
    /// The bytes of the file at `path`.
    package static func read(_ path: String) throws(FileReadFailure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure(errno) }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw failure(EISDIR) }
        // The size is a hint (a file may change, /proc files say 0): read to the end.
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: max(bytes.count, 4_096)) }
            let (got, ended) = try bytes.withUnsafeMutableBytes { b in
                Result { () throws(FileReadFailure) in try fill(fd, b.baseAddress! + count, b.count - count) }
            }.get()
            count += got
            if ended { break }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// Calls `body` with the file's bytes in pieces of `size` bytes (the last one shorter), in order.
    package static func forEachPiece(of path: String, size: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws(FileReadFailure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let (got, ended) = try fill(fd, buffer.baseAddress!, size)
            if got > 0 { body(UnsafeRawBufferPointer(rebasing: buffer[..<got])) }
            if ended { return }
        }
    }

    /// Reads from `fd` into `destination` until `count` bytes are there or the input ends,
    /// retrying a read that a signal interrupts: the bytes read, and whether the input ended.
    /// The one read loop of the project (whole files, file pieces, the CSV reader's chunks,
    /// standard input).
    package static func fill(_ fd: Int32, _ destination: UnsafeMutableRawPointer, _ count: Int) throws(FileReadFailure) -> (got: Int, ended: Bool) {
        var got = 0
        while got < count {
            let n = Glibc.read(fd, destination + got, count - got)
            if n > 0 { got += n; continue }
            if n == 0 { return (got, true) }
            if errno == EINTR { continue }
            throw failure(errno)
        }
        return (got, false)
    }

    private static func failure(_ code: Int32) -> FileReadFailure {
        FileReadFailure(reason: String(cString: strerror(code)))
    }
}
