import FinRec
import Foundation
import Testing

@Suite("Atomic outputs: a file is replaced whole, a link keeps pointing, a pipe or a device is written in place")
struct AtomicFileTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("finrec-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func kind(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    /// The folder's entries other than `keep`: temporary files left behind would show here.
    func leftovers(_ dir: String, keeping keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { !keep.contains($0) }
    }

    @Test("A regular file is replaced on commit and untouched when the writer is discarded; no temporary file stays")
    func regularFile() throws {
        let dir = try folder(), path = dir + "/out.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let file = try AtomicFileWriter(path: path)
            try file.write("half")
            file.discard()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        try AtomicFileWriter.write(Array("new\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try kind(path) == .typeRegular)
        #expect(try leftovers(dir, keeping: ["out.csv"]).isEmpty)
        #expect(AtomicFileWriter.replacesFile(path) && !AtomicFileWriter.isStream(path))
        #expect(!AtomicFileWriter.replacesFile(dir + "/absent.csv") && !AtomicFileWriter.isStream(dir + "/absent.csv"))
        // A folder is refused when the writer opens, before any output is made, naming it.
        #expect { try AtomicFileWriter(path: dir) } throws: { error in
            (error as? FileWriteError)?.path == dir && "\(error)".contains("it is a folder")
        }
        #expect(!AtomicFileWriter.replacesFile(dir) && !AtomicFileWriter.isStream(dir))
    }

    @Test("A symbolic link stays a link: the file it points to is replaced, beside that file")
    func symbolicLink() throws {
        let dir = try folder(), real = dir + "/real.csv", link = dir + "/link.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: real))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try AtomicFileWriter.write(Array("new\n".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "new\n")
        #expect(try leftovers(dir, keeping: ["real.csv", "link.csv"]).isEmpty)
    }

    @Test("A named pipe is written in place (a reader gets every byte) and stays a pipe; /dev/null counts as a stream, not a file to replace")
    func streams() async throws {
        let dir = try folder(), fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // More than the writer's 1 MiB buffer, so the bytes go through the pipe in several writes.
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        // The test's end is opened read-write, so opening never blocks, and read with a deadline:
        // a writer that replaced the pipe instead of writing into it fails the test, not hangs it.
        let fd = open(fifo, O_RDWR | O_NONBLOCK)
        #expect(fd >= 0)
        defer { close(fd) }
        let count = bytes.count
        let reader = Task.detached { () -> [UInt8] in
            var got: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while got.count < count, poll(&ready, 1, 20_000) > 0 {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - got.count)) }
                if n > 0 { got.append(contentsOf: chunk[0..<n]) } else if n == 0 || errno != EAGAIN { break }
            }
            return got
        }
        try AtomicFileWriter.write(bytes, to: fifo)
        let received = await reader.value
        // A Bool, so that a failure does not print three million bytes twice.
        let same = received == bytes
        #expect(same, "the pipe's reader got \(received.count) of \(bytes.count) bytes")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try leftovers(dir, keeping: ["pipe"]).isEmpty)
        // Only looked at: a regression here must not be able to replace the machine's /dev/null.
        #expect(AtomicFileWriter.isStream("/dev/null") && !AtomicFileWriter.replacesFile("/dev/null"))
    }
}
