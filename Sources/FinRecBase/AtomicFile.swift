#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure while writing an output file, with the path and the system's reason.
public struct FileWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    package let operation: String
    public let reason: String

    package init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        "\(path): cannot \(operation): \(reason). Check that the folder exists, is writable and has free space."
    }

    package static func errno(_ path: String, _ operation: String, _ code: Int32 = currentErrno()) -> FileWriteError {
        FileWriteError(path: path, operation: operation, reason: String(cString: strerror(code)))
    }
}

/// Writes a file so that readers see either the old complete file or the new complete
/// one, never a part: bytes go to a temporary file beside the target, which is flushed
/// to disk (`fsync`) and renamed over the target; the folder is then synced so the
/// rename itself survives a crash. If the writer is discarded without ``commit()``,
/// the temporary file is removed and the target is untouched.
///
/// ```swift
/// let file = try AtomicFileWriter(path: "out.csv")
/// try file.write("id,score\n")
/// try file.commit()
/// ```
package final class AtomicFileWriter {
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private static let bufferLimit = 1 << 20

    /// Opens a temporary file in the target's folder.
    package init(path: String) throws(FileWriteError) {
        self.path = path
        let (folder, name) = Self.folderAndName(path)
        var template = Array("\(folder).\(name).XXXXXX.tmp".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { throw .errno(path, "create a temporary file beside it") }
        descriptor = fd
        temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates 0600; outputs are ordinary files, so apply the usual 0666 & ~umask.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
    }

    /// The folder part of `path` with its final slash ("" for a bare name), and the name.
    package static func folderAndName(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    deinit {
        if !finished { discard() }
    }

    package func write(_ text: String) throws(FileWriteError) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    package func write(_ bytes: some Collection<UInt8>) throws(FileWriteError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    private func flush() throws(FileWriteError) {
        precondition(!finished, "AtomicFileWriter used after commit or discard")
        if let code = buffer.withUnsafeBytes({ FileHandleWriter.writeAll($0, to: descriptor) }) {
            let failure = FileWriteError.errno(path, "write", code)
            discard()
            throw failure
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file over the target.
    package func commit() throws(FileWriteError) {
        try flush()
        if fsync(descriptor) != 0 {
            let failure = FileWriteError.errno(path, "sync to disk")
            discard()
            throw failure
        }
        close(descriptor)
        descriptor = -1
        if rename(temporaryPath, path) != 0 {
            let failure = FileWriteError.errno(path, "rename the finished temporary file into place")
            discard()
            throw failure
        }
        finished = true
        Self.syncFolder(of: path)
    }

    /// Syncs the folder holding `path`, so a rename into it survives a crash.
    package static func syncFolder(of path: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? "."
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Removes the temporary file and leaves the target untouched.
    package func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }

    /// Writes `bytes` to `path` atomically in one step.
    package static func write(_ bytes: some Collection<UInt8>, to path: String) throws(FileWriteError) {
        let file = try AtomicFileWriter(path: path)
        try file.write(bytes)
        try file.commit()
    }
}

// The C library's errno under a name that FileWriteError.errno does not hide,
// whichever C module (Glibc, Musl, Darwin) provides it.
private func currentErrno() -> Int32 { errno }
