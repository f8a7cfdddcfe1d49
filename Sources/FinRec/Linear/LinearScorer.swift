/// Scores K products at once with one linear model each: logits = X · Wᵀ + b.
///
/// X is an n×d chunk of standardised feature rows, W the K×d weight matrix (one
/// row per product) and b the K intercepts. Each worker fills its rows of the
/// output with b and adds X·Wᵀ with one `gemm` per block of ``blockRows`` rows.
///
/// ```swift
/// let scorer = LinearScorer<Float>(model: model)
/// let logits = scorer.logits(for: chunk)          // n × K
/// ```
///
/// ## Precision
/// `LinearScorer<Double>` is the reference. `LinearScorer<Float>` rounds X, W and b to
/// Float32 and accumulates in Float32. Each logit then obeys the a-priori bound
/// |ẑ − z| ≤ γ₍d+2₎ · (Σⱼ|xⱼwⱼ| + |b|) with γₙ = n·u/(1 − n·u), u = 2⁻²⁴, which the tests
/// check. On standardised features (d = 128, |w| ≈ 0.1) the measured worst case over
/// 1,000,000 rows is about 1e-5 in the logit (Benchmarks/README.md), far below any
/// difference that changes a ranking decision; ties closer than that may swap order.
public struct LinearScorer<T: KernelScalar>: Sendable {
    /// K × d, one row of weights per product.
    public let weights: Matrix<T>
    /// K intercepts.
    public let intercepts: [T]
    /// Rows per `gemm` call. Blocks start at multiples of `blockRows` whatever the worker
    /// count, so logits are bit-for-bit identical for any ``ThreadPolicy``; changing
    /// `blockRows` itself may change the last bits (OpenBLAS picks kernels by shape).
    /// 4,096 rows of d = 128 Float32 are 2 MiB, which measured fastest on this machine
    /// class (Benchmarks/README.md).
    public var blockRows: Int = 4096

    public var productCount: Int { weights.rows }
    public var featureCount: Int { weights.columns }

    public init(weights: Matrix<T>, intercepts: [T]) {
        precondition(intercepts.count == weights.rows,
                     "LinearScorer: \(weights.rows) weight rows but \(intercepts.count) intercepts")
        self.weights = weights
        self.intercepts = intercepts
    }

    /// A scorer for every product of `model`, in the model's product order.
    public init(model: LinearModel) {
        let k = model.products.count, d = model.featureNames.count
        var w = [T]()
        w.reserveCapacity(k * d)
        for product in model.products { w.append(contentsOf: product.weights.map { T($0) }) }
        self.init(weights: Matrix(rows: k, columns: d, elements: w),
                  intercepts: model.products.map { T($0.intercept) })
    }

    /// The n×K logits for the n rows of `x`.
    /// - Complexity: O(n·d·K) flops, split across `threads.workers` workers.
    public func logits<Kernel: LinearAlgebraKernel>(
        for x: Matrix<T>, kernel: Kernel = BLASKernel(), threads: ThreadPolicy = .allCores
    ) -> Matrix<T> {
        var out = Matrix<T>(rows: x.rows, columns: productCount)
        logits(for: x, into: &out, kernel: kernel, threads: threads)
        return out
    }

    /// Writes the logits for the rows of `x` into `out`, which must be n×K.
    /// Reusing `out` across chunks avoids one allocation per chunk.
    public func logits<Kernel: LinearAlgebraKernel>(
        for x: Matrix<T>, into out: inout Matrix<T>, kernel: Kernel = BLASKernel(), threads: ThreadPolicy = .allCores
    ) {
        precondition(x.columns == featureCount,
                     "LinearScorer: rows have \(x.columns) features, the model expects \(featureCount)")
        precondition(out.rows == x.rows && out.columns == productCount,
                     "LinearScorer: output is \(out.rows)×\(out.columns), expected \(x.rows)×\(productCount)")
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                logits(rows: x.rows, x: xs.baseAddress!, into: os.baseAddress!, kernel: kernel, threads: threads)
            }
        }
    }

    /// The core of the above on raw row-major storage: `rows` × d features in, `rows` × K logits out.
    func logits<Kernel: LinearAlgebraKernel>(rows n: Int, x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>,
                                             kernel: Kernel, threads: ThreadPolicy) {
        _ = ThreadPolicy.libraryThreadsPinned
        let d = featureCount, k = productCount, block = max(1, blockRows)
        guard n > 0, k > 0 else { return }
        weights.withUnsafeBufferPointer { ws in
            intercepts.withUnsafeBufferPointer { bs in
                // Pointers into storage that outlives the parallel section; each worker writes
                // only its own rows of `out`.
                nonisolated(unsafe) let xp = x, wp = ws.baseAddress!
                nonisolated(unsafe) let bp = bs.baseAddress!, op = out
                threads.forEachRange(count: n, alignment: block) { range in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let rows = min(block, range.upperBound - start)
                        let c = op + start * k
                        for i in 0..<rows { (c + i * k).update(from: bp, count: k) }
                        if d > 0 {
                            kernel.gemm(.none, .transposed, m: rows, n: k, k: d,
                                        alpha: 1, a: xp + start * d, lda: d,
                                        b: wp, ldb: d, beta: 1, c: c, ldc: k)
                        }
                        start += rows
                    }
                }
            }
        }
    }
}

extension LinearScorer where T == Double {
    /// The n × K logits of the rows of a training set's feature store.
    public func logits<Kernel: LinearAlgebraKernel>(for x: FeatureStore, kernel: Kernel = BLASKernel(),
                                                    threads: ThreadPolicy = .allCores) -> Matrix<Double> {
        precondition(x.columns == featureCount, "LinearScorer: rows have \(x.columns) features, the model expects \(featureCount)")
        var out = Matrix<Double>(rows: x.rows, columns: productCount)
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                logits(rows: x.rows, x: xs.baseAddress!, into: os.baseAddress!, kernel: kernel, threads: threads)
            }
        }
        return out
    }
}
