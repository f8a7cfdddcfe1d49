package import FinRecBase
import FinRecRecords
/// Scores K products at once with one linear model each: logits = X · Wᵀ + b.
///
/// X is an n×d chunk of standardised feature rows, W the K×d weight matrix (one
/// row per product) and b the K intercepts. Each worker fills its rows of the
/// output with b and adds X·Wᵀ with one `gemm` per block of ``blockRows`` rows.
///
/// ## Reproducibility
/// OpenBLAS picks its code path by the shape of a call and by a row's place in it (a short tail
/// of rows, or the last columns of a packed panel, go through other code with another order of
/// operations), so the same row can round differently in calls of different sizes or at another
/// position. LinearScorer therefore gives every row a fixed place: the rows of the whole input
/// are cut into blocks of ``blockRows`` at multiples of ``blockRows`` of their position in the
/// input (`firstRow` says where a chunk starts), every `gemm` call has exactly ``blockRows``
/// rows, and a block that a chunk covers only in part is copied into a zero-padded block with
/// its rows at their own places. A row's logits thus depend on its features and its position in
/// the input only: byte-identical for any chunk size and thread count. Across CPUs, where
/// OpenBLAS picks another kernel, logits agree to rounding (the bound below).
///
/// ```swift
/// let scorer = LinearScorer<Float>(model: model)
/// let logits = scorer.logits(for: chunk, firstRow: rowsBefore)   // n × K
/// ```
///
/// ## Precision
/// `LinearScorer<Double>` is the reference. `LinearScorer<Float>` rounds X, W and b to
/// Float32 and accumulates in Float32. Each logit then obeys the a-priori bound
/// |ẑ − z| ≤ γ₍d+2₎ · (Σⱼ|xⱼwⱼ| + |b|) with γₙ = n·u/(1 − n·u), u = 2⁻²⁴, which the tests
/// check. On standardised features (d = 128, |w| ≈ 0.1) the measured worst case over
/// 1,000,000 rows is about 1e-5 in the logit (Benchmarks/README.md), far below any
/// difference that changes a ranking decision; ties closer than that may swap order.
package struct LinearScorer<T: KernelScalar>: Sendable {
    /// K × d, one row of weights per product.
    package let weights: Matrix<T>
    /// K intercepts.
    package let intercepts: [T]
    /// Rows per `gemm` call; a shorter block is padded with zero rows to this size (see
    /// "Reproducibility"). Changing `blockRows` itself may change the last bits of the logits
    /// (OpenBLAS picks its code path by shape). Block sizes from 256 to 65,536 rows measured
    /// within ±4% of each other on 1,000,000 rows (Benchmarks/README.md); 256 keeps the
    /// padding of a chunk's last block, and of a single applicant, cheap.
    package var blockRows: Int = 256

    package var productCount: Int { weights.rows }
    package var featureCount: Int { weights.columns }

    package init(weights: Matrix<T>, intercepts: [T]) {
        precondition(intercepts.count == weights.rows,
                     "LinearScorer: \(weights.rows) weight rows but \(intercepts.count) intercepts")
        self.weights = weights
        self.intercepts = intercepts
    }

    /// A scorer for every product of `model`, in the model's product order.
    package init(model: LinearModel) {
        let k = model.products.count, d = model.featureNames.count
        var w = [T]()
        w.reserveCapacity(k * d)
        for product in model.products { w.append(contentsOf: product.weights.map { T($0) }) }
        self.init(weights: Matrix(rows: k, columns: d, elements: w),
                  intercepts: model.products.map { T($0.intercept) })
    }

    /// The n×K logits for the n rows of `x`.
    /// - Parameter firstRow: the position in the whole input of `x`'s first row (0 when `x` is
    ///   the whole input); it fixes each row's place in its `gemm` block (see "Reproducibility").
    /// - Complexity: O(n·d·K) flops, split across `threads.workers` workers, plus at most two
    ///   padded blocks of ``blockRows`` rows.
    package func logits<Kernel: LinearAlgebraKernel>(
        for x: Matrix<T>, firstRow: Int = 0, kernel: Kernel = BLASKernel(), threads: ThreadPolicy = .allCores
    ) -> Matrix<T> {
        var out = Matrix<T>(rows: x.rows, columns: productCount)
        logits(for: x, firstRow: firstRow, into: &out, kernel: kernel, threads: threads)
        return out
    }

    /// Writes the logits for the rows of `x` into `out`, which must be n×K.
    /// Reusing `out` across chunks avoids one allocation per chunk.
    package func logits<Kernel: LinearAlgebraKernel>(
        for x: Matrix<T>, firstRow: Int = 0, into out: inout Matrix<T>, kernel: Kernel = BLASKernel(),
        threads: ThreadPolicy = .allCores
    ) {
        precondition(x.columns == featureCount,
                     "LinearScorer: rows have \(x.columns) features, the model expects \(featureCount)")
        precondition(out.rows == x.rows && out.columns == productCount,
                     "LinearScorer: output is \(out.rows)×\(out.columns), expected \(x.rows)×\(productCount)")
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                logits(rows: x.rows, firstRow: firstRow, x: xs.baseAddress!, into: os.baseAddress!, kernel: kernel, threads: threads)
            }
        }
    }

    /// The core of the above on raw row-major storage: `rows` × d features in, `rows` × K logits
    /// out, the first row being row `firstRow` of the whole input.
    package func logits<Kernel: LinearAlgebraKernel>(rows n: Int, firstRow: Int, x: UnsafePointer<T>,
                                             into out: UnsafeMutablePointer<T>, kernel: Kernel, threads: ThreadPolicy) {
        precondition(firstRow >= 0, "LinearScorer: negative first row \(firstRow)")
        _ = ThreadPolicy.libraryThreadsPinned
        let d = featureCount, k = productCount, block = max(1, blockRows)
        guard n > 0, k > 0 else { return }
        // The blocks of the whole input that these rows touch.
        let firstBlock = firstRow / block, blocks = (firstRow + n + block - 1) / block - firstBlock
        weights.withUnsafeBufferPointer { ws in
            intercepts.withUnsafeBufferPointer { bs in
                // Pointers into storage that outlives the parallel section; each worker writes
                // only its own rows of `out`.
                nonisolated(unsafe) let xp = x, wp = ws.baseAddress!
                nonisolated(unsafe) let bp = bs.baseAddress!, op = out
                threads.forEachRange(count: blocks, alignment: 1) { range in
                    var padded: UnsafeMutablePointer<T>?
                    defer { padded?.deallocate() }
                    for b in range {
                        // Input rows [lower, upper) of global block firstBlock + b, as local indices.
                        let blockStart = (firstBlock + b) * block
                        let lower = max(blockStart, firstRow) - firstRow, upper = min(blockStart + block, firstRow + n) - firstRow
                        if upper - lower == block {
                            Self.block(x: xp + lower * d, into: op + lower * k, rows: block, d: d, k: k,
                                       weights: wp, intercepts: bp, kernel: kernel)
                            continue
                        }
                        // Part of a block: the same call shape on a zero-padded copy, each row at its place.
                        let scratch = padded ?? UnsafeMutablePointer<T>.allocate(capacity: block * (d + k))
                        padded = scratch
                        // This code is not specialised for T: a fill of bytes, not of elements.
                        UnsafeMutableBufferPointer(start: scratch, count: block * (d + k)).initializeToZero()
                        let offset = firstRow + lower - blockStart, rows = upper - lower
                        let px = scratch, pc = scratch + block * d
                        Self.copy(xp + lower * d, to: px + offset * d, count: rows * d)
                        Self.block(x: px, into: pc, rows: block, d: d, k: k, weights: wp, intercepts: bp, kernel: kernel)
                        Self.copy(pc + offset * k, to: op + lower * k, count: rows * k)
                    }
                }
            }
        }
    }

    /// `count` values from `source` to `target`, as bytes (T is a trivial floating-point type).
    @inline(__always)
    private static func copy(_ source: UnsafePointer<T>, to target: UnsafeMutablePointer<T>, count: Int) {
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
    }

    /// c ← b + x·Wᵀ for one block of `rows` rows (one `gemm`).
    @inline(__always)
    private static func block<Kernel: LinearAlgebraKernel>(
        x: UnsafePointer<T>, into c: UnsafeMutablePointer<T>, rows: Int, d: Int, k: Int,
        weights: UnsafePointer<T>, intercepts: UnsafePointer<T>, kernel: Kernel
    ) {
        for i in 0..<rows { copy(intercepts, to: c + i * k, count: k) }
        if d > 0 {
            kernel.gemm(.none, .transposed, m: rows, n: k, k: d, alpha: 1, a: x, lda: d,
                        b: weights, ldb: d, beta: 1, c: c, ldc: k)
        }
    }
}
