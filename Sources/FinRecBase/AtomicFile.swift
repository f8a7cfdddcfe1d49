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
/// A target that is a symbolic link is resolved first: the file it points to is replaced and the
/// link stays. A target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a
/// named pipe, a terminal) is written in place as a stream: renaming a file over it would replace
/// the device or the pipe itself, and a stream has no old version to keep.
///
/// ```swift
/// let file = try AtomicFileWriter(path: "out.csv")
/// try file.write("id,score\n")
/// try file.commit()
/// ```
package final class AtomicFileWriter {
    public let path: String
    /// The temporary file renamed over the target on commit; nil when writing a stream in place.
    private let temporaryPath: String?
    /// The file the rename replaces: `path`, or the file a symbolic link there points to.
    private let target: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private static let bufferLimit = 1 << 20

    /// Opens a temporary file in the target's folder, or the target itself when it is a stream.
    package init(path: String) throws(FileWriteError) {
        self.path = path
        if Self.isStream(path) {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .errno(path, "open for writing") }
            descriptor = fd
            temporaryPath = nil
            target = path
            return
        }
        target = try Self.checkTarget(path)
        let (folder, name) = Self.folderAndName(target)
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

    /// Throws what opening a writer on `path` would: a folder, or a folder that does not exist.
    /// Commands that make their output before opening it call this first, so that a wrong
    /// `--output` is refused before the work, not after it.
    /// - Returns: the file a commit replaces: `path`, or the file a symbolic link there points to.
    @discardableResult
    package static func checkTarget(_ path: String) throws(FileWriteError) -> String {
        if type(of: path) == S_IFDIR {
            throw FileWriteError(path: path, operation: "write the output there",
                                 reason: "it is a folder; give a file's path, e.g. \(path.hasSuffix("/") ? path : path + "/")out.csv")
        }
        let target = resolvingLink(path)
        let folder = folderAndName(target).folder
        if !folder.isEmpty, type(of: folder) != S_IFDIR {
            throw FileWriteError(path: path, operation: "write the output there", reason: "the folder \(folder) does not exist")
        }
        return target
    }

    /// Whether `path` exists (following links) and is neither a regular file nor a folder: a
    /// device, a pipe or a socket, which is written in place.
    package static func isStream(_ path: String) -> Bool {
        guard let type = type(of: path) else { return false }
        return type != S_IFREG && type != S_IFDIR
    }

    /// Whether writing `path` would replace an existing regular file (what `--force` guards).
    package static func replacesFile(_ path: String) -> Bool { type(of: path) == S_IFREG }

    /// The file type bits (`S_IFREG`, `S_IFDIR`, …) of `path`, following links unless
    /// `following` is false; nil when nothing is there.
    private static func type(of path: String, following: Bool = true) -> mode_t? {
        var info = stat()
        guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// The file a symbolic link at `path` points to (all links followed); `path` itself when it
    /// is no link or the link leads nowhere.
    private static func resolvingLink(_ path: String) -> String {
        guard type(of: path, following: false) == S_IFLNK, let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
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

    /// Flushes, syncs and renames the temporary file over the target (a stream: flushes and closes).
    package func commit() throws(FileWriteError) {
        try flush()
        guard let temporaryPath else {
            close(descriptor)
            descriptor = -1
            finished = true
            return
        }
        if fsync(descriptor) != 0 {
            let failure = FileWriteError.errno(path, "sync to disk")
            discard()
            throw failure
        }
        close(descriptor)
        descriptor = -1
        if rename(temporaryPath, target) != 0 {
            let failure = FileWriteError.errno(path, "rename the finished temporary file into place")
            discard()
            throw failure
        }
        finished = true
        Self.syncFolder(of: target)
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
        if let temporaryPath { unlink(temporaryPath) }
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
