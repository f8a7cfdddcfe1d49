#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The K L2-regularised logistic losses of a ``TrainingSet``, computed together: per block of
/// rows, one gemm for the logits of all K products and one for their gradients; per product
/// and block, one gemm for the Hessian. Parameters of each product: d weights, then the
/// intercept (not penalised).
///
/// Every block's partial sums are kept and added in block order, so values, gradients and
/// Hessians are bit-for-bit the same for any number of workers.
struct LogisticObjective<Kernel: LinearAlgebraKernel>: JointObjective {
    let data: TrainingSet
    /// n × K: sample × class weight, 0 where a row says nothing about a product.
    let rowWeights: Matrix<Double>
    /// C per product.
    let c: [Double]
    let threads: ThreadPolicy
    let kernel: Kernel
    /// Per block, per product: the rows the product used in the blocks before (for the sample).
    private let usedBefore: [[Int]]
    /// Per product: the Hessian's row stride s (1: exact).
    let hessianStride: [Int]
    /// Rows per block.
    static var blockRows: Int { 8_192 }

    /// - Parameter hessianSampleRows: a product that uses more rows than this gets its Hessian
    ///   from every s-th of its rows (s = rows ÷ this), scaled by s: a sub-sampled Newton
    ///   method. The gradient stays exact, so the solver still converges to the exact optimum,
    ///   linearly at a rate of about √(d / sample) (≈ 0.03 for d = 64) instead of
    ///   quadratically, while a Hessian costs O(sample · d²) instead of O(n · d²). 0 means
    ///   always exact.
    init(data: TrainingSet, rowWeights: Matrix<Double>, c: [Double], threads: ThreadPolicy, kernel: Kernel,
         hessianSampleRows: Int = 65_536) {
        self.data = data
        self.rowWeights = rowWeights
        self.c = c
        self.threads = threads
        self.kernel = kernel
        let n = data.features.rows, k = data.labels.columns
        let blocks = (n + Self.blockRows - 1) / Self.blockRows
        var before = [[Int]](repeating: [Int](repeating: 0, count: k), count: blocks)
        var used = [Int](repeating: 0, count: k)
        rowWeights.withUnsafeBufferPointer { ws in
            for block in 0..<blocks {
                before[block] = used
                for i in (block * Self.blockRows)..<min(n, (block + 1) * Self.blockRows) {
                    for p in 0..<k where ws[i * k + p] != 0 { used[p] += 1 }
                }
            }
        }
        usedBefore = before
        hessianStride = used.map { hessianSampleRows > 0 ? max(1, $0 / hessianSampleRows) : 1 }
    }

    var problems: Int { data.labels.columns }
    var dimension: Int { data.features.columns + 1 }
    /// Blocks of ``blockRows`` rows (the last may be shorter).
    private var blocks: Int { usedBefore.count }

    /// The logits X·Wᵀ + b of rows `start..<start+rows` into `z` (rows × K).
    private func logits(_ xs: UnsafeBufferPointer<Double>, start: Int, rows: Int, w: [Double], b: [Double],
                        into z: UnsafeMutablePointer<Double>) {
        let d = data.features.columns, k = b.count
        for i in 0..<rows { for p in 0..<k { z[i * k + p] = b[p] } }
        w.withUnsafeBufferPointer { wp in
            kernel.gemm(.none, .transposed, m: rows, n: k, k: d, alpha: 1, a: xs.baseAddress! + start * d, lda: d,
                        b: wp.baseAddress!, ldb: d, beta: 1, c: z, ldc: k)
        }
    }

    /// Objective values and gradients (coefficients then intercept) of every product at `theta`.
    func evaluate(_ theta: [[Double]]) -> (values: [Double], gradients: [[Double]]) {
        _ = ThreadPolicy.libraryThreadsPinned
        let n = data.features.rows, d = data.features.columns, k = theta.count, blocks = self.blocks
        let w = theta.flatMap { $0.prefix(d) }, b = theta.map { $0[d] }
        // Per block: K losses, K intercept gradients, K × d coefficient gradients.
        let partialLoss = ParallelResults<[Double]>(count: blocks)
        let partialIntercept = ParallelResults<[Double]>(count: blocks)
        let partialGradient = ParallelResults<[Double]>(count: blocks)
        threads.forEachRange(count: blocks, alignment: 1) { range in
            var z = [Double](repeating: 0, count: Self.blockRows * k)
            for block in range {
                let start = block * Self.blockRows, rows = min(Self.blockRows, n - start)
                var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
                var gradient = [Double](repeating: 0, count: k * d)
                data.features.withUnsafeBufferPointer { xs in
                    z.withUnsafeMutableBufferPointer { zp in
                        logits(xs, start: start, rows: rows, w: w, b: b, into: zp.baseAddress!)
                        rowWeights.withUnsafeBufferPointer { ws in
                            data.labels.withUnsafeBufferPointer { ys in
                                // Turn the logits into residuals in place, summing the losses.
                                for i in 0..<rows {
                                    for p in 0..<k {
                                        let index = (start + i) * k + p
                                        let weight = ws[index]
                                        if weight == 0 { zp[i * k + p] = 0; continue }
                                        let logit = zp[i * k + p], y = ys[index]
                                        // log(1 + e^m), m = −z for y = 1 and z for y = 0, as
                                        // max(m, 0) + log1p(e^(−|m|)) without overflow; the same
                                        // e^(−|z|) gives the sigmoid: one exp and one log1p.
                                        let m = y == 1 ? -logit : logit
                                        let e = exp(-abs(logit))
                                        loss[p] += weight * (max(m, 0) + log1p(e))
                                        let probability = logit >= 0 ? 1 / (1 + e) : e / (1 + e)
                                        let r = weight * (probability - y)
                                        zp[i * k + p] = r
                                        intercept[p] += r
                                    }
                                }
                            }
                        }
                        // G_block = R_blockᵀ · X_block: K × d.
                        gradient.withUnsafeMutableBufferPointer { gp in
                            kernel.gemm(.transposed, .none, m: k, n: d, k: rows, alpha: 1, a: zp.baseAddress!, lda: k,
                                        b: xs.baseAddress! + start * d, ldb: d, beta: 0, c: gp.baseAddress!, ldc: d)
                        }
                    }
                }
                partialLoss.set(block, loss)
                partialIntercept.set(block, intercept)
                partialGradient.set(block, gradient)
            }
        }
        var loss = [Double](repeating: 0, count: k), intercept = [Double](repeating: 0, count: k)
        var gradient = [Double](repeating: 0, count: k * d)
        for (l, (g0, g)) in zip(partialLoss.values, zip(partialIntercept.values, partialGradient.values)) {
            for p in 0..<k { loss[p] += l[p]; intercept[p] += g0[p] }
            for j in 0..<(k * d) { gradient[j] += g[j] }
        }
        var values = [Double](repeating: 0, count: k)
        var gradients = [[Double]](repeating: [], count: k)
        for p in 0..<k {
            values[p] = 0.5 * theta[p].prefix(d).reduce(0) { $0 + $1 * $1 } + c[p] * loss[p]
            gradients[p] = (0..<d).map { j in theta[p][j] + c[p] * gradient[p * d + j] } + [c[p] * intercept[p]]
        }
        return (values, gradients)
    }

    /// The Hessians of `problems` at `theta`: I (on the weights) + C · [X 1]ᵀ D [X 1], with
    /// D = diag(vᵢ pᵢ (1 − pᵢ)) over the product's rows. Per block and product, the rows with
    /// D > 0 are gathered scaled by √D (so products that cover few rows cost little) and one
    /// gemm adds SᵀS. A product with more rows than ``hessianSampleRows`` uses every s-th of
    /// its rows (``hessianStride``), each counted s times.
    ///
    /// Blocks are processed in waves of a few per worker, so memory stays at a few Hessians per
    /// worker whatever n; partial sums are still added in block order.
    /// - Complexity: O(Σₚ nₚ · (d + 1)²) flops, nₚ the rows product p uses.
    func hessians(_ theta: [[Double]], problems selected: [Int]) -> [[Double]] {
        _ = ThreadPolicy.libraryThreadsPinned
        let n = data.features.rows, d = data.features.columns, k = theta.count, dim = d + 1, blocks = self.blocks
        let w = theta.flatMap { $0.prefix(d) }, b = theta.map { $0[d] }
        var total = [[Double]](repeating: [Double](repeating: 0, count: dim * dim), count: selected.count)
        let wave = 2 * threads.workers
        var first = 0
        while first < blocks {
            let count = min(wave, blocks - first), firstBlock = first
            let partial = ParallelResults<[[Double]]>(count: count)
            threads.forEachRange(count: count, alignment: 1) { range in
                var z = [Double](repeating: 0, count: Self.blockRows * k)
                var scaled = [Double](repeating: 0, count: Self.blockRows * dim)
                for j in range {
                    let start = (firstBlock + j) * Self.blockRows, rows = min(Self.blockRows, n - start)
                    var hessians: [[Double]] = []
                    data.features.withUnsafeBufferPointer { xs in
                        z.withUnsafeMutableBufferPointer { zp in
                            logits(xs, start: start, rows: rows, w: w, b: b, into: zp.baseAddress!)
                            rowWeights.withUnsafeBufferPointer { ws in
                                scaled.withUnsafeMutableBufferPointer { sp in
                                    for p in selected {
                                        var used = 0
                                        let stride = hessianStride[p]
                                        var ordinal = usedBefore[firstBlock + j][p]
                                        for i in 0..<rows {
                                            let weight = ws[(start + i) * k + p]
                                            if weight == 0 { continue }
                                            defer { ordinal += 1 }
                                            if stride > 1 && ordinal % stride != 0 { continue }
                                            let e = exp(-abs(zp[i * k + p]))
                                            let root = (Double(stride) * weight * e).squareRoot() / (1 + e)  // √(s·v·p(1−p))
                                            let source = xs.baseAddress! + (start + i) * d, target = sp.baseAddress! + used * dim
                                            for jj in 0..<d { target[jj] = root * source[jj] }
                                            target[d] = root
                                            used += 1
                                        }
                                        var h = [Double](repeating: 0, count: dim * dim)
                                        if used > 0 {
                                            h.withUnsafeMutableBufferPointer { hp in
                                                kernel.gemm(.transposed, .none, m: dim, n: dim, k: used, alpha: 1,
                                                            a: sp.baseAddress!, lda: dim, b: sp.baseAddress!, ldb: dim,
                                                            beta: 0, c: hp.baseAddress!, ldc: dim)
                                            }
                                        }
                                        hessians.append(h)
                                    }
                                }
                            }
                        }
                    }
                    partial.set(j, hessians)
                }
            }
            for block in partial.values {
                for q in selected.indices { for e in 0..<(dim * dim) { total[q][e] += block[q][e] } }
            }
            first += count
        }
        for (q, p) in selected.enumerated() {
            for e in 0..<(dim * dim) { total[q][e] *= c[p] }
            for j in 0..<d { total[q][j * dim + j] += 1 }
            // gemm computes both triangles with the same sums in another order; make H exactly symmetric.
            for i in 0..<dim { for j in 0..<i { total[q][j * dim + i] = total[q][i * dim + j] } }
        }
        return total
    }
}
