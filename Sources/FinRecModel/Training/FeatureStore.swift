package import FinRecBase
import FinRecRecords
package import FinRecLinear
import FinRecFeatures
import FinRecCatalog
#if canImport(Glibc)
import Glibc
#endif

/// The n × d feature matrix of a training set, row-major Float64: in memory, or — when it is
/// larger than the caller wants to hold — in a memory-mapped temporary file, unlinked as soon as
/// it is created, which the operating system pages in and out as the trainer sweeps it. Either
/// way the trainer sees one contiguous buffer and computes the same numbers.
///
/// Rows are written once, while the set is built (one thread), then only read.
package final class FeatureStore: @unchecked Sendable {
    package let rows: Int
    package let columns: Int
    private let base: UnsafeMutablePointer<Double>
    /// The mapping's length in bytes; nil when the store is in memory.
    private let mappedBytes: Int?

    package var isMapped: Bool { mappedBytes != nil }
    /// Bytes of feature data.
    package var byteCount: Int { rows * columns * MemoryLayout<Double>.stride }

    /// An in-memory store of zeros.
    package init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0)
        self.rows = rows
        self.columns = columns
        base = .allocate(capacity: max(1, rows * columns))
        base.initialize(repeating: 0, count: max(1, rows * columns))
        mappedBytes = nil
    }

    /// A store backed by a temporary file in `folder` (removed from the folder at once; the space
    /// is freed when the store goes).
    package init(rows: Int, columns: Int, mappedIn folder: String) throws(FileWriteError) {
        precondition(rows >= 0 && columns >= 0)
        let length = max(1, rows * columns) * MemoryLayout<Double>.stride
        var template = Array((folder + "/finrec-features-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else { throw .errno(folder, "create a temporary feature file in") }
        defer { close(fd) }
        unlink(path)
        guard ftruncate(fd, off_t(length)) == 0 else { throw .errno(path, "size the temporary feature file") }
        guard let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), address != MAP_FAILED else {
            throw .errno(path, "map the temporary feature file")
        }
        self.rows = rows
        self.columns = columns
        base = address.bindMemory(to: Double.self, capacity: length / MemoryLayout<Double>.stride)
        mappedBytes = length
    }

    /// An in-memory copy of `matrix`.
    package convenience init(_ matrix: Matrix<Double>) {
        self.init(rows: matrix.rows, columns: matrix.columns)
        matrix.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: $0.count) }
    }

    deinit {
        if let mappedBytes {
            munmap(base, mappedBytes)
        } else {
            base.deallocate()
        }
    }

    /// Copies `block` into rows `start ..< start + block.rows`.
    package func setRows(_ start: Int, from block: Matrix<Double>) {
        precondition(block.columns == columns && start >= 0 && start + block.rows <= rows, "block out of range")
        block.withUnsafeBufferPointer { (base + start * columns).update(from: $0.baseAddress!, count: $0.count) }
    }

    package func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Double>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: rows * columns))
    }

    package subscript(row: Int, column: Int) -> Double {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns)
        return base[row * columns + column]
    }
}

extension LinearScorer where T == Double {
    /// The n × K logits of the rows of a training set's feature store.
    package func logits<Kernel: LinearAlgebraKernel>(for x: FeatureStore, kernel: Kernel = BLASKernel(),
                                                    threads: ThreadPolicy = .allCores) -> Matrix<Double> {
        precondition(x.columns == featureCount, "LinearScorer: rows have \(x.columns) features, the model expects \(featureCount)")
        var out = Matrix<Double>(rows: x.rows, columns: productCount)
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                logits(rows: x.rows, firstRow: 0, x: xs.baseAddress!, into: os.baseAddress!, kernel: kernel, threads: threads)
            }
        }
        return out
    }
}
